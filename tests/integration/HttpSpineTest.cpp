// The HTTP spine, through real sockets: auth, roles, the error envelope,
// rate and size limits, health and readiness, webhook signatures, and every
// connection served when there are more keep-alive clients than Poco's
// default pool.
#include "support/ApiClient.h"
#include "support/HttpCall.h"
#include "support/TempDir.h"

#include "support/TestHost.h"

#include <switchboard/core/config/Settings.h>
#include <switchboard/core/crypto/Crypto.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>

#include <latch>
#include <thread>

using sb::test::httpCall;

namespace {

struct RunningHost : sb::test::TestHost {
  RunningHost()
      : TestHost({{"auth.key_cache_ms", "0"}, {"ratelimit.me", "3"}, {"provider.sim.secret", "spine-secret"}}) {}

  sb::sdk::HttpResponse get(const std::string& path, const sb::sdk::Headers& headers = {}) {
    return httpCall(port(), "GET", path, headers);
  }
};

nlohmann::json errorOf(const sb::sdk::HttpResponse& response) {
  const auto body = nlohmann::json::parse(response.body);
  REQUIRE(body.contains("error"));
  REQUIRE(body["error"].at("code").is_string());
  REQUIRE(body["error"].at("message").is_string());
  return body["error"];
}

}  // namespace

TEST_CASE("spine: health and readiness need no key", "[http]") {
  RunningHost host;
  auto health = host.get("/health");
  CHECK(health.status == 200);
  CHECK(nlohmann::json::parse(health.body).at("status") == "healthy");
  auto ready = host.get("/ready");
  CHECK(ready.status == 200);
  CHECK(nlohmann::json::parse(ready.body).at("checks").at("provider") == "ok");
}

TEST_CASE("spine: API routes need a valid key, in either header", "[http]") {
  RunningHost host;
  auto missing = host.get("/api/v1/me");
  CHECK(missing.status == 401);
  CHECK(errorOf(missing).at("code") == "UNAUTHORIZED");
  CHECK(missing.header("Content-Type").value_or("") == "application/json");

  auto wrong = host.get("/api/v1/me", {{"X-API-Key", "sbk_0000000000000000000000000000000000000000000000ff"}});
  CHECK(wrong.status == 401);
  CHECK(errorOf(wrong).at("message") == "invalid or revoked API key");

  auto byHeader = host.get("/api/v1/me", {{"X-API-Key", host.agentKey}});
  CHECK(byHeader.status == 200);
  CHECK(nlohmann::json::parse(byHeader.body).at("role") == "agent");

  auto byBearer = host.get("/api/v1/me", {{"Authorization", "Bearer " + host.adminKey}});
  CHECK(byBearer.status == 200);
  CHECK(nlohmann::json::parse(byBearer.body).at("role") == "admin");
}

TEST_CASE("spine: admin routes refuse agent keys and revoked keys stop working", "[http]") {
  RunningHost host;
  auto forbidden = host.get("/api/v1/keys", {{"X-API-Key", host.agentKey}});
  CHECK(forbidden.status == 403);
  CHECK(errorOf(forbidden).at("code") == "FORBIDDEN");

  auto listed = host.get("/api/v1/keys", {{"X-API-Key", host.adminKey}});
  REQUIRE(listed.status == 200);
  const auto keys = nlohmann::json::parse(listed.body).at("keys");
  CHECK(keys.size() == 2);
  CHECK(listed.body.find(host.agentKey) == std::string::npos);  // never the key itself

  const std::string agentId = nlohmann::json::parse(host.get("/api/v1/me", {{"X-API-Key", host.agentKey}}).body)
                                  .at("key_id")
                                  .get<std::string>();
  REQUIRE(host.context().apiKeys().revoke(agentId));
  CHECK(host.get("/api/v1/me", {{"X-API-Key", host.agentKey}}).status == 401);
}

TEST_CASE("spine: unknown routes and wrong methods get the envelope", "[http]") {
  RunningHost host;
  auto notFound = host.get("/api/v1/nothing-here", {{"X-API-Key", host.agentKey}});
  CHECK(notFound.status == 404);
  CHECK(errorOf(notFound).at("code") == "NOT_FOUND");

  auto wrongMethod = httpCall(host.port(), "DELETE", "/health");
  CHECK(wrongMethod.status == 405);
  CHECK(errorOf(wrongMethod).at("code") == "METHOD_NOT_ALLOWED");
  CHECK(wrongMethod.header("Allow").value_or("") == "GET");
}

TEST_CASE("spine: per-key per-route rate limits answer 429 with Retry-After", "[http]") {
  RunningHost host;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(host.get("/api/v1/me", {{"X-API-Key", host.agentKey}}).status == 200);
  }
  auto limited = host.get("/api/v1/me", {{"X-API-Key", host.agentKey}});
  CHECK(limited.status == 429);
  CHECK(errorOf(limited).at("code") == "RATE_LIMITED");
  REQUIRE(limited.header("Retry-After").has_value());
  CHECK(std::stoi(*limited.header("Retry-After")) >= 1);
  // Another key, and another route of the same key, have their own budgets.
  CHECK(host.get("/api/v1/me", {{"X-API-Key", host.adminKey}}).status == 200);
  CHECK(host.get("/api/v1/provider", {{"X-API-Key", host.agentKey}}).status == 200);
}

TEST_CASE("spine: a route's rate limit set from the environment's spelling applies, a name of no route is refused",
          "[http]") {
  // SWITCHBOARD_RATELIMIT_COLDCALL_INITIATE arrives as ratelimit.coldcall_initiate:
  // an environment variable cannot spell the dot in a route's name.
  sb::test::TestHost spelled(std::map<std::string, std::string>{{"ratelimit.coldcall_initiate", "2"}});
  const sb::test::ApiClient board(spelled.port(), spelled.adminKey);
  int refused = 0;
  for (int i = 0; i < 3; ++i) {
    const auto reply = board.post("/api/v1/cold-call/initiate", {{"to_phone", "+1555400000" + std::to_string(i)}});
    if (reply.status == 429) {
      ++refused;
      CHECK(reply.json["error"]["details"]["limit_per_minute"] == 2);
    }
  }
  CHECK(refused == 1);
  // A typo no longer leaves the route at its default unnoticed.
  try {
    sb::test::TestHost typo(std::map<std::string, std::string>{{"ratelimit.coldcall.initate", "2"}});
    FAIL("a rate limit for a route that does not exist was accepted");
  } catch (const sb::core::ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("ratelimit.coldcall.initate names no route") &&
                             Catch::Contains("did you mean ratelimit.coldcall.initiate?"));
  }
}

TEST_CASE("spine: request bodies over the limit get 413 and nothing reaches the plugin", "[http]") {
  RunningHost host;
  const std::string big(300 * 1024, 'x');
  auto tooLarge = httpCall(host.port(), "POST", "/webhooks/sim/events", {{"Content-Type", "text/plain"}}, big);
  CHECK(tooLarge.status == 413);
  const auto error = errorOf(tooLarge);
  CHECK(error.at("code") == "PAYLOAD_TOO_LARGE");
  CHECK(error.at("details").at("limit_bytes") == 256 * 1024);
}

TEST_CASE("spine: webhooks are verified against the public URL", "[http]") {
  RunningHost host;
  const std::string url = "http://127.0.0.1:" + std::to_string(host.port()) + "/webhooks/sim/events";
  const std::string body =
      R"({"event_key":"e1","type":"leg.ringing","call_id":"c1","leg":"contact","occurred_at_ms":1})";
  const auto now = std::to_string(std::time(nullptr));
  const std::string signature =
      "v1=" + sb::core::crypto::toHex(sb::core::crypto::hmac("sha256", "spine-secret", now + "." + url + "." + body));

  auto accepted = httpCall(host.port(), "POST", "/webhooks/sim/events",
                           {{"X-Sim-Timestamp", now}, {"X-Sim-Signature", signature}}, body);
  CHECK(accepted.status == 200);
  CHECK(nlohmann::json::parse(accepted.body).at("received") == true);

  auto forged = httpCall(host.port(), "POST", "/webhooks/sim/events",
                         {{"X-Sim-Timestamp", now}, {"X-Sim-Signature", "v1=00"}}, body);
  CHECK(forged.status == 403);
  CHECK(errorOf(forged).at("code") == "FORBIDDEN");

  auto otherProvider = httpCall(host.port(), "POST", "/webhooks/twilio/voice", {}, "x=1");
  CHECK(otherProvider.status == 404);
}

TEST_CASE("spine: more keep-alive clients than Poco's default pool are all served", "[http]") {
  RunningHost host;
  constexpr int kClients = 40;  // Poco's default pool has 16 threads
  std::atomic<int> served{0};
  // Every client holds its connection open until all have been answered
  // once: with too few pool threads the late ones would time out.
  std::latch allAnsweredOnce(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      Poco::Net::HTTPClientSession session("127.0.0.1", host.port());
      session.setKeepAlive(true);
      session.setTimeout(Poco::Timespan(5, 0));
      for (int n = 0; n < 3; ++n) {
        Poco::Net::HTTPRequest request("GET", "/health", Poco::Net::HTTPMessage::HTTP_1_1);
        request.setKeepAlive(true);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::string body;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
        if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) ++served;
        if (n == 0) allAnsweredOnce.arrive_and_wait();
      }
    });
  }
  for (auto& client : clients) client.join();
  CHECK(served == kClients * 3);
}

// The host's outbound HTTP, the one place every plugin's requests go
// through: connections are kept alive and reused (one TCP/TLS handshake,
// not one per request), a connection the server closed is never reused,
// and a request is sent again only where RetryPolicy says repeating it is
// harmless. Against a real local server.
#include "support/CaptureServer.h"

#include <switchboard/core/metrics/Metrics.h>
#include <switchboard/core/net/HttpClient.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

using sb::core::HttpClient;
using sb::core::HttpClientOptions;
using sb::core::Metrics;
using sb::test::CaptureServer;

namespace {

sb::sdk::HttpRequest request(const CaptureServer& server, const std::string& method, const std::string& path,
                             sb::sdk::Headers headers = {}) {
  sb::sdk::HttpRequest r;
  r.method = method;
  r.url = server.baseUrl() + path;
  r.headers = std::move(headers);
  if (method == "POST") {
    r.body = "a=1";
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  }
  return r;
}

std::set<std::string> connections(CaptureServer& server) {
  std::set<std::string> peers;
  for (const auto& r : server.requests()) {
    peers.insert(r.remoteAddr);
  }
  return peers;
}

uint64_t counted(Metrics& metrics, const std::string& name, const sb::core::Labels& labels) {
  return metrics.counter(name, "", labels).value();
}

/// Answers the first `failures` requests with `status` (and `headers`), then 200.
CaptureServer::Responder failingFirst(int failures, int status, sb::sdk::Headers headers = {}) {
  auto left = std::make_shared<std::atomic<int>>(failures);
  return [left, status, headers](const sb::sdk::HttpRequest&) {
    sb::sdk::HttpResponse response;
    response.status = left->fetch_sub(1) > 0 ? status : 200;
    response.headers = headers;
    response.body = "{}";
    return response;
  };
}

}  // namespace

TEST_CASE("outbound: requests to one host share a kept-alive connection", "[outbound]") {
  CaptureServer server;
  Metrics metrics;
  HttpClient client({}, &metrics);
  for (int i = 0; i < 5; ++i) {
    CHECK(client.send(request(server, i % 2 == 0 ? "GET" : "POST", "/x"), "twilio").status == 200);
  }
  CHECK(server.requests().size() == 5);
  CHECK(connections(server).size() == 1);
  CHECK(client.idleConnections() == 1);
  CHECK(counted(metrics, "switchboard_outbound_connections_opened_total", {{"client", "twilio"}}) == 1);
  CHECK(counted(metrics, "switchboard_outbound_requests_total", {{"client", "twilio"}, {"class", "2xx"}}) == 5);

  SECTION("with the pool off, each request opens its own") {
    HttpClientOptions options;
    options.maxIdlePerHost = 0;
    HttpClient fresh(options);
    CaptureServer other;
    for (int i = 0; i < 3; ++i) {
      CHECK(fresh.send(request(other, "GET", "/y")).status == 200);
    }
    CHECK(connections(other).size() == 3);
  }
}

TEST_CASE("outbound: concurrent requests each get a connection - the idle pool stays bounded", "[outbound]") {
  CaptureServer server;
  server.setResponder([](const sb::sdk::HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sb::sdk::HttpResponse response;
    response.status = 200;
    return response;
  });
  HttpClientOptions options;
  options.maxIdlePerHost = 2;
  HttpClient client(options);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] { ok += client.send(request(server, "GET", "/slow")).status == 200 ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 6);
  CHECK(client.idleConnections() == 2);
}

TEST_CASE("outbound: a connection the server closed while idle is not reused, even for a POST", "[outbound]") {
  CaptureServer server(200, std::chrono::milliseconds(200));
  HttpClient client;
  CHECK(client.send(request(server, "POST", "/Calls.json")).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // the server drops the idle connection
  CHECK(client.send(request(server, "POST", "/Calls.json")).status == 200);
  CHECK(server.requests().size() == 2);  // nothing sent twice
  CHECK(connections(server).size() == 2);
}

TEST_CASE("outbound: a server that says Connection: close is not kept", "[outbound]") {
  CaptureServer server;
  server.setResponder([](const sb::sdk::HttpRequest&) {
    sb::sdk::HttpResponse response;
    response.status = 200;
    response.headers = {{"Connection", "close"}};
    return response;
  });
  HttpClient client;
  CHECK(client.send(request(server, "GET", "/a")).status == 200);
  CHECK(client.idleConnections() == 0);
  CHECK(client.send(request(server, "GET", "/a")).status == 200);
  CHECK(connections(server).size() == 2);
}

TEST_CASE("outbound: a 5xx is resent only when repeating the request is harmless", "[outbound]") {
  CaptureServer server;
  Metrics metrics;
  HttpClient client({}, &metrics);

  SECTION("a GET is resent once") {
    server.setResponder(failingFirst(1, 503));
    CHECK(client.send(request(server, "GET", "/Calls/CA1.json"), "twilio").status == 200);
    CHECK(server.requests().size() == 2);
    CHECK(counted(metrics, "switchboard_outbound_retries_total", {{"client", "twilio"}, {"reason", "5xx"}}) == 1);
    CHECK(counted(metrics, "switchboard_outbound_requests_total", {{"client", "twilio"}, {"class", "5xx"}}) == 1);
  }
  SECTION("and only once: a second 5xx goes back") {
    server.setResponder(failingFirst(2, 500));
    CHECK(client.send(request(server, "GET", "/Calls/CA1.json")).status == 500);
    CHECK(server.requests().size() == 2);
  }
  SECTION("a POST without an Idempotency-Key is not: it may have been carried out") {
    server.setResponder(failingFirst(1, 502));
    CHECK(client.send(request(server, "POST", "/Calls.json")).status == 502);
    CHECK(server.requests().size() == 1);
  }
  SECTION("a POST with an Idempotency-Key is, with the same key") {
    server.setResponder(failingFirst(1, 504));
    CHECK(client.send(request(server, "POST", "/actions/hangup", {{"Idempotency-Key", "cmd-1"}})).status == 200);
    const auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].header("Idempotency-Key") == "cmd-1");
  }
  SECTION("a 4xx is the answer, never resent") {
    server.setResponder(failingFirst(1, 400));
    CHECK(client.send(request(server, "GET", "/x")).status == 400);
    CHECK(server.requests().size() == 1);
  }
}

TEST_CASE("outbound: a short 429 is waited out for any method - a long one goes back", "[outbound]") {
  CaptureServer server;
  HttpClient client;

  SECTION("Retry-After: 0, a POST") {
    server.setResponder(failingFirst(1, 429, {{"Retry-After", "0"}}));
    CHECK(client.send(request(server, "POST", "/Calls.json")).status == 200);
    CHECK(server.requests().size() == 2);
  }
  SECTION("X-RateLimit-Reset as seconds") {
    server.setResponder(failingFirst(1, 429, {{"x-ratelimit-reset", "0"}}));
    CHECK(client.send(request(server, "POST", "/v2/calls")).status == 200);
    CHECK(server.requests().size() == 2);
  }
  SECTION("Retry-After: 30 is past outbound.max_retry_wait_ms") {
    server.setResponder(failingFirst(1, 429, {{"Retry-After", "30"}}));
    const auto started = std::chrono::steady_clock::now();
    const auto response = client.send(request(server, "POST", "/Calls.json"));
    CHECK(response.status == 429);
    CHECK(response.header("Retry-After") == "30");
    CHECK(server.requests().size() == 1);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  }
  SECTION("at most rate_limit_retries times") {
    server.setResponder(failingFirst(10, 429, {{"Retry-After", "0"}}));
    CHECK(client.send(request(server, "GET", "/x")).status == 429);
    CHECK(server.requests().size() == 3);  // the first and two resends
  }
}

TEST_CASE("outbound: no answer to a POST says it was not retried", "[outbound]") {
  uint16_t port = 0;
  {
    CaptureServer gone;
    port = gone.port();
  }
  HttpClient client;
  sb::sdk::HttpRequest post;
  post.method = "POST";
  post.url = "http://127.0.0.1:" + std::to_string(port) + "/Calls.json";
  try {
    client.send(post);
    FAIL("a closed port answered");
  } catch (const sb::core::HttpTransportError& e) {
    CHECK(std::string(e.what()).find("not retried") != std::string::npos);
  }
}

TEST_CASE("retry policy: what may be repeated, and the wait a 429 names", "[outbound]") {
  using namespace sb::core;
  sb::sdk::HttpRequest get;
  get.method = "GET";
  sb::sdk::HttpRequest post;
  post.method = "POST";
  CHECK(repeatable(get));
  CHECK_FALSE(repeatable(post));
  post.headers = {{"idempotency-key", "k"}};
  CHECK(repeatable(post));
  post.headers = {{"Idempotency-Key", ""}};
  CHECK_FALSE(repeatable(post));

  sb::sdk::HttpResponse limited;
  limited.status = 429;
  CHECK_FALSE(rateLimitWait(limited, 0).has_value());
  limited.headers = {{"Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT"}};
  CHECK_FALSE(rateLimitWait(limited, 0).has_value());
  limited.headers = {{"Retry-After", "3"}};
  CHECK(rateLimitWait(limited, 0) == std::chrono::seconds(3));
  limited.headers = {{"X-RateLimit-Reset", "1700000005"}};
  CHECK(rateLimitWait(limited, 1700000000) == std::chrono::seconds(5));

  RetryPolicy policy;
  limited.headers = {};
  const auto noHint = afterResponse(policy, get, limited, 0, 0, 0);
  CHECK(noHint.again);
  CHECK(noHint.wait == std::chrono::seconds(1));
  CHECK_FALSE(afterResponse(policy, get, limited, 2, 0, 0).again);
  CHECK(afterNoAnswer(policy, get, 0).again);
  CHECK_FALSE(afterNoAnswer(policy, get, 1).again);
  CHECK_FALSE(afterNoAnswer(policy, post, 0).again);
}

TEST_CASE("outbound: a deadline cuts an attempt short and stops retries", "[outbound]") {
  CaptureServer server;
  HttpClient client;
  SECTION("a slow answer") {
    server.setResponder([](const sb::sdk::HttpRequest&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1000));
      sb::sdk::HttpResponse response;
      response.status = 200;
      return response;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    CHECK_THROWS_AS(client.send(request(server, "GET", "/slow"), "t", deadline), sb::core::HttpTransportError);
    // The server's handler finishes its answer (recorded then) before the
    // server goes; only the one request came: not sent again past the deadline.
    CHECK(server.waitFor(1, std::chrono::seconds(5)).size() == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(server.requests().size() == 1);
  }
  SECTION("a 503 whose resend would start past it") {
    server.setResponder(failingFirst(1, 503));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);  // < the 100 ms backoff
    CHECK(client.send(request(server, "GET", "/x"), "t", deadline).status == 503);
    CHECK(server.requests().size() == 1);
  }
}

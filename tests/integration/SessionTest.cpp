// People signing in (issue 18): a session cookie from email and password,
// checked on every request by any host, refused from another origin, ended
// by sign-out, idleness or disabling; failed sign-ins slowed per account
// and per address.
#include "support/ApiClient.h"
#include "support/HttpCall.h"
#include "support/SignIn.h"
#include "support/TestHost.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using Catch::Matchers::Contains;
namespace sdk = sb::sdk;
using Overrides = std::map<std::string, std::string>;

using sb::test::kPassword;
using sb::test::SignedIn;
using sb::test::signIn;

namespace {

sdk::HttpResponse withCookie(uint16_t port, const std::string& method, const std::string& target,
                             const std::string& cookie, sdk::Headers extra = {}, const std::string& body = {}) {
  extra.emplace_back("Cookie", cookie);
  if (!body.empty()) extra.emplace_back("Content-Type", "application/json");
  return sb::test::httpCall(port, method, target, extra, body);
}

void addUser(sb::test::TestHost& host, const std::string& email, sb::core::Role role) {
  host.context().users().create({email, "Person " + email, role, kPassword});
}

}  // namespace

TEST_CASE("sessions: sign in, act as yourself with the cookie, sign out", "[sessions]") {
  sb::test::TestHost host;
  addUser(host, "Rep@Example.com", sb::core::Role::Agent);

  const SignedIn session = signIn(host.port(), "rep@example.com", kPassword);
  INFO(session.json.dump());
  REQUIRE(session.status == 200);
  CHECK(session.json["user"]["email"] == "Rep@Example.com");
  CHECK(session.json["user"]["role"] == "agent");
  CHECK(session.json["user"].find("password_hash") == session.json["user"].end());
  // The cookie: 256 random bits, out of scripts' reach, never sent by another site.
  CHECK(session.cookie.size() == std::string("sb_session=").size() + 64);
  CHECK_THAT(session.setCookie, Contains("HttpOnly") && Contains("SameSite=Strict") && Contains("Path=/"));
  CHECK(session.setCookie.find("Secure") == std::string::npos);  // public_base_url is not https here

  const auto me = withCookie(host.port(), "GET", "/api/v1/me", session.cookie);
  REQUIRE(me.status == 200);
  const auto who = nlohmann::json::parse(me.body);
  CHECK(who["kind"] == "user");
  CHECK(who["name"] == "rep@example.com");  // the agent a person acts as
  CHECK(who["role"] == "agent");
  // Agent routes work; admin routes do not.
  CHECK(withCookie(host.port(), "GET", "/api/v1/calls/active", session.cookie).status == 200);
  CHECK(withCookie(host.port(), "GET", "/api/v1/keys", session.cookie).status == 403);

  // A call placed from the page (same origin) is the person's own.
  const std::string origin = "http://127.0.0.1:" + std::to_string(host.port());
  const auto placed = withCookie(host.port(), "POST", "/api/v1/calls", session.cookie, {{"Origin", origin}},
                                 nlohmann::json{{"to", "+15551230001"}}.dump());
  INFO(placed.body);
  REQUIRE(placed.status == 201);
  CHECK(nlohmann::json::parse(placed.body)["agent_id"] == "rep@example.com");

  const auto out = withCookie(host.port(), "DELETE", "/api/v1/session", session.cookie, {{"Origin", origin}});
  CHECK(out.status == 204);
  CHECK_THAT(out.header("Set-Cookie").value_or(""), Contains("Max-Age=0"));
  // The session is over on the server, not just in the browser.
  CHECK(withCookie(host.port(), "GET", "/api/v1/me", session.cookie).status == 401);
}

TEST_CASE("sessions: wrong password, unknown email and disabled account get one answer", "[sessions]") {
  sb::test::TestHost host;
  addUser(host, "rep@example.com", sb::core::Role::Agent);
  addUser(host, "gone@example.com", sb::core::Role::Agent);
  host.context().users().setDisabled("gone@example.com", true);

  const SignedIn wrong = signIn(host.port(), "rep@example.com", "tall giraffe at night");
  const SignedIn unknown = signIn(host.port(), "nobody@example.com", kPassword);
  const SignedIn disabled = signIn(host.port(), "gone@example.com", kPassword);
  for (const SignedIn* reply : {&wrong, &unknown, &disabled}) {
    CHECK(reply->status == 401);
    CHECK(reply->json["error"]["code"] == "INVALID_CREDENTIALS");
    CHECK(reply->json["error"]["message"] == wrong.json["error"]["message"]);
    CHECK(reply->setCookie.empty());
  }
  // Bad bodies are clear 400s, before any password check.
  const auto noPassword = sb::test::httpCall(host.port(), "POST", "/api/v1/session",
                                             {{"Content-Type", "application/json"}}, R"({"email":"rep@example.com"})");
  CHECK(noPassword.status == 400);
  CHECK(signIn(host.port(), std::string(300, 'e') + "@example.com", kPassword).status == 400);
  CHECK(signIn(host.port(), "rep@example.com", std::string(2000, 'p')).status == 400);
  const auto huge = sb::test::httpCall(host.port(), "POST", "/api/v1/session", {{"Content-Type", "application/json"}},
                                       R"({"email":"a@b.co","password":")" + std::string(10'000, 'p') + "\"}");
  CHECK(huge.status == 413);
  CHECK(signIn(host.port(), "' OR 1=1 --", kPassword).status == 401);
}

TEST_CASE("sessions: forged, signed-out, idle and disabled sessions are refused", "[sessions]") {
  sb::test::TestHost host(Overrides{{"auth.session_idle_s", "60"}});
  addUser(host, "rep@example.com", sb::core::Role::Agent);
  const SignedIn first = signIn(host.port(), "rep@example.com", kPassword);
  REQUIRE(first.status == 200);

  CHECK(withCookie(host.port(), "GET", "/api/v1/me", "sb_session=" + std::string(64, 'a')).status == 401);
  CHECK(withCookie(host.port(), "GET", "/api/v1/me", "sb_session=short").status == 401);
  CHECK(withCookie(host.port(), "GET", "/api/v1/me", "other=1").status == 401);

  // A new id at every sign-in: one sent along is not adopted.
  const SignedIn second = signIn(host.port(), "rep@example.com", kPassword, {{"Cookie", first.cookie}});
  REQUIRE(second.status == 200);
  CHECK(second.cookie != first.cookie);
  CHECK(withCookie(host.port(), "GET", "/api/v1/me", first.cookie).status == 200);  // each browser its own

  // Only the id's hash is stored.
  CHECK(host.context().sessions().check(first.cookie.substr(11)).has_value());

  // Disabling a person ends their sessions at the next request.
  host.context().users().setDisabled("rep@example.com", true);
  CHECK(withCookie(host.port(), "GET", "/api/v1/me", second.cookie).status == 401);
  host.context().users().setDisabled("rep@example.com", false);
  CHECK(withCookie(host.port(), "GET", "/api/v1/me", second.cookie).status == 200);
}

TEST_CASE("sessions: a cookie request that changes something must come from the page's origin", "[sessions]") {
  sb::test::TestHost host(Overrides{{"public_base_url", "https://dialer.example.com"}});
  addUser(host, "rep@example.com", sb::core::Role::Agent);
  const SignedIn session = signIn(host.port(), "rep@example.com", kPassword);
  REQUIRE(session.status == 200);
  CHECK_THAT(session.setCookie, Contains("; Secure"));

  const std::string body = nlohmann::json{{"to", "+15551230002"}}.dump();
  const auto noOrigin = withCookie(host.port(), "POST", "/api/v1/calls", session.cookie, {}, body);
  CHECK(noOrigin.status == 403);
  const auto evil =
      withCookie(host.port(), "POST", "/api/v1/calls", session.cookie, {{"Origin", "https://evil.example.net"}}, body);
  CHECK(evil.status == 403);
  CHECK_THAT(evil.body, Contains("origin"));
  // Reading needs no Origin.
  CHECK(withCookie(host.port(), "GET", "/api/v1/calls/active", session.cookie).status == 200);
  // The configured public origin is the page's.
  const auto page = withCookie(host.port(), "POST", "/api/v1/calls", session.cookie,
                               {{"Origin", "https://dialer.example.com"}}, body);
  INFO(page.body);
  CHECK(page.status == 201);
  // An API key needs no Origin: keys are not sent by browsers on their own.
  const sb::test::ApiClient agent(host.port(), host.agentKey);
  CHECK(agent.get("/api/v1/me").json["kind"] == "key");
}

TEST_CASE("sessions: failed sign-ins are slowed per account, and the owner gets in after the wait", "[sessions]") {
  sb::test::TestHost host;
  addUser(host, "rep@example.com", sb::core::Role::Agent);
  // Five free failures, then each further try waits: 1 s, 2 s, 4 s, ...
  for (int i = 0; i < 5; ++i) {
    CHECK(signIn(host.port(), "rep@example.com", "wrong password " + std::to_string(i)).status == 401);
  }
  // Even the right password is not checked during the wait.
  const SignedIn held = signIn(host.port(), "rep@example.com", kPassword);
  CHECK(held.status == 429);
  CHECK(held.json["error"]["code"] == "RATE_LIMITED");
  REQUIRE_FALSE(held.retryAfter.empty());
  // The same for an email nobody has, so the answer tells nothing.
  for (int i = 0; i < 6; ++i) signIn(host.port(), "nobody@example.com", "guess " + std::to_string(i));
  CHECK(signIn(host.port(), "nobody@example.com", "guess 7").status == 429);
  // Another account from the same address is not held (the address has 20).
  addUser(host, "other@example.com", sb::core::Role::Agent);
  CHECK(signIn(host.port(), "other@example.com", kPassword).status == 200);

  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(held.retryAfter)) + std::chrono::milliseconds(200));
  CHECK(signIn(host.port(), "rep@example.com", kPassword).status == 200);
}

// Who may call what (issue 18, item 4): every route the host serves, walked
// with no credentials, with an agent's and an admin's API key and with an
// agent's, a supervisor's and an admin's session. The table is the router's
// own (each route's Access); the OpenAPI document states it per operation
// (x-access) and this test holds the two and the behaviour together.
#include "support/HttpCall.h"
#include "support/SignIn.h"
#include "support/TestHost.h"

#include "routes/Routes.h"

#include <catch2/catch.hpp>

#include <regex>

namespace {

const char* accessName(sb::host::Access access) {
  switch (access) {
    case sb::host::Access::Public: return "public";
    case sb::host::Access::Signed: return "signed";
    case sb::host::Access::Agent: return "agent";
    case sb::host::Access::Supervisor: return "supervisor";
    case sb::host::Access::Admin: return "admin";
  }
  return "?";
}

/// A concrete target for a route pattern: every parameter a value that
/// names nothing ("/api/v1/calls/{id}" -> "/api/v1/calls/0").
std::string targetOf(const std::string& pattern) {
  static const std::regex parameter(R"(\{[^}]*\})");
  return std::regex_replace(pattern, parameter, "0");
}

std::string sessionCookie(uint16_t port, const std::string& email) {
  const auto signedIn = sb::test::signIn(port, email);
  REQUIRE(signedIn.status == 200);
  return signedIn.cookie;
}

}  // namespace

TEST_CASE("routes: every route refuses the caller its access table says it must, and no other", "[access]") {
  sb::test::TestHost host;
  auto& users = host.context().users();
  users.create({"agent@example.com", "Agent", sb::core::Role::Agent, sb::test::kPassword});
  users.create({"lead@example.com", "Lead", sb::core::Role::Supervisor, sb::test::kPassword});
  users.create({"boss@example.com", "Boss", sb::core::Role::Admin, sb::test::kPassword});
  const std::string origin = "http://127.0.0.1:" + std::to_string(host.port());

  struct Caller {
    std::string name;
    sb::sdk::Headers headers;
    sb::core::Role role;
  };
  const std::vector<Caller> callers = {
      {"agent key", {{"X-API-Key", host.agentKey}}, sb::core::Role::Agent},
      {"admin key", {{"X-API-Key", host.adminKey}}, sb::core::Role::Admin},
      {"agent session",
       {{"Cookie", sessionCookie(host.port(), "agent@example.com")}, {"Origin", origin}},
       sb::core::Role::Agent},
      {"supervisor session",
       {{"Cookie", sessionCookie(host.port(), "lead@example.com")}, {"Origin", origin}},
       sb::core::Role::Supervisor},
      {"admin session",
       {{"Cookie", sessionCookie(host.port(), "boss@example.com")}, {"Origin", origin}},
       sb::core::Role::Admin},
  };

  const auto doc = nlohmann::json::parse(sb::test::httpCall(host.port(), "GET", "/api/v1/openapi.json").body);
  sb::host::Router router;
  sb::host::addAllRoutes(router, host.context());
  int walked = 0;
  for (const auto& route : router.routes()) {
    const std::string target = targetOf(route.pattern);
    INFO(route.method << " " << route.pattern << " (" << route.name << ", " << accessName(route.access) << ")");
    // The document says the same as the router.
    std::string path = route.pattern;
    if (const auto rest = path.find("{*rest}"); rest != std::string::npos) path.replace(rest, 7, "{path}");
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
    CHECK(doc["paths"][path][method].value("x-access", "") == accessName(route.access));

    if (route.access == sb::host::Access::Public || route.access == sb::host::Access::Signed) {
      continue;  // no credentials to check (signed webhooks: WebhookTest and the provider loops)
    }
    if (route.name == "events.stream") {
      continue;  // a stream that stays open: EventStreamTest checks its key and roles
    }
    if (route.name == "session.delete") {
      continue;  // signing out would end the sessions the walk uses: below, last
    }
    ++walked;
    const auto anonymous = sb::test::httpCall(host.port(), route.method, target, {{"Origin", origin}});
    CHECK(anonymous.status == 401);
    for (const Caller& caller : callers) {
      INFO(caller.name);
      const auto reply = sb::test::httpCall(host.port(), route.method, target, caller.headers);
      INFO(reply.status << " " << reply.body.substr(0, 200));
      CHECK(reply.status != 401);
      const bool refused = reply.status == 403;
      const bool allowed = route.access == sb::host::Access::Admin        ? caller.role == sb::core::Role::Admin
                           : route.access == sb::host::Access::Supervisor ? caller.role != sb::core::Role::Agent
                                                                          : true;
      CHECK(refused == !allowed);
    }
  }
  CHECK(walked > 20);
  CHECK(sb::test::httpCall(host.port(), "DELETE", "/api/v1/session", {{"Origin", origin}}).status == 401);
  for (const Caller& caller : callers) {
    INFO(caller.name);
    CHECK(sb::test::httpCall(host.port(), "DELETE", "/api/v1/session", caller.headers).status == 204);
  }
}

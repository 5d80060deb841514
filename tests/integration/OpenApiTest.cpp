// /api/v1/openapi.json describes every route the host serves, and nothing
// it does not: a route added without its description fails here.
#include "support/ApiClient.h"
#include "support/TestHost.h"

#include "routes/Routes.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

namespace {

std::string openApiPath(std::string pattern) {
  const std::string rest = "{*rest}";
  if (const auto at = pattern.find(rest); at != std::string::npos) {
    pattern.replace(at, rest.size(), "{path}");
  }
  return pattern;
}

std::string asciiLower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

TEST_CASE("openapi: every route is described, and every description is a route", "[openapi]") {
  for (const std::string prefix : {"/api/v1/cold-call", "/aicallgo/api/v1/cold-call"}) {
    INFO(prefix);
    sb::test::TestHost host(std::map<std::string, std::string>{{"coldcall.prefix", prefix}});
    const auto reply = sb::test::httpCall(host.port(), "GET", "/api/v1/openapi.json");  // public
    REQUIRE(reply.status == 200);
    const auto doc = nlohmann::json::parse(reply.body);
    CHECK(doc["openapi"] == "3.1.0");

    sb::host::Router router;
    sb::host::addAllRoutes(router, host.context());
    std::set<std::pair<std::string, std::string>> served;
    for (const auto& route : router.routes()) {
      const std::string path = openApiPath(route.pattern);
      served.emplace(path, asciiLower(route.method));
      INFO(route.method << " " << route.pattern << " (" << route.name << ")");
      REQUIRE(doc["paths"].contains(path));
      CHECK(doc["paths"][path].contains(asciiLower(route.method)));
      if (doc["paths"][path].contains(asciiLower(route.method))) {
        const auto& operation = doc["paths"][path][asciiLower(route.method)];
        CHECK(operation.contains("responses"));
        // Routes without a key say so; the rest inherit the key schemes.
        const bool open = route.access == sb::host::Access::Public || route.access == sb::host::Access::Signed;
        CHECK(open == (operation.contains("security") && operation["security"].empty()));
      }
    }
    for (const auto& [path, item] : doc["paths"].items()) {
      for (const auto& [method, operation] : item.items()) {
        INFO("described but not served: " << method << " " << path);
        CHECK(served.count({path, method}) == 1);
      }
    }
  }
}

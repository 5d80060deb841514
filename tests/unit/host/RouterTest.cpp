#include "http/Router.h"

#include <catch2/catch.hpp>

using namespace sb::host;

TEST_CASE("router matches literals, captures and tails and reports other methods", "[router]") {
  Router router;
  auto ok = [](const ApiRequest&) { return ApiResponse{}; };
  router.add({"GET", "/api/v1/calls/{id}", "calls.get", Access::Agent, 0, 0, ok});
  router.add({"POST", "/webhooks/{provider}/{*rest}", "webhooks", Access::Signed, 0, 0, ok});

  auto match = router.match("GET", "/api/v1/calls/abc%20d");
  REQUIRE(match.route != nullptr);
  CHECK(match.route->name == "calls.get");
  CHECK(match.params.at("id") == "abc d");

  match = router.match("POST", "/webhooks/twilio/status/conference");
  REQUIRE(match.route != nullptr);
  CHECK(match.params.at("provider") == "twilio");
  CHECK(match.params.at("rest") == "status/conference");

  match = router.match("DELETE", "/api/v1/calls/x");
  CHECK(match.route == nullptr);
  CHECK(match.pathMatchedOtherMethod);
  CHECK(match.allowed == std::vector<std::string>{"GET"});

  CHECK(router.match("GET", "/api/v1/calls").route == nullptr);
  CHECK(router.match("GET", "/api/v1/calls/x/y").route == nullptr);
  CHECK(router.match("HEAD", "/api/v1/calls/x").route != nullptr);
}

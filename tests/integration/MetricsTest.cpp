// /metrics in the Prometheus text format: call and HTTP figures after real
// traffic.
#include "support/ApiClient.h"
#include "support/TestHost.h"

#include <catch2/catch.hpp>

using sb::test::ApiClient;
using sb::test::eventually;

namespace {

/// The value of one sample line, e.g. `name{labels} 3`; -1 when absent.
double sample(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  const auto start = at + series.size() + 2;
  return std::stod(text.substr(start, text.find('\n', start) - start));
}

}  // namespace

TEST_CASE("metrics: calls, agent connections and HTTP requests are counted", "[metrics]") {
  sb::test::TestHost host({{"provider.sim.ring_after_ms", "10"},
                           {"provider.sim.answer_after_ms", "20"},
                           {"provider.sim.agent_join_after_ms", "10"}});
  ApiClient agent(host.port(), host.agentKey);
  const auto dialed = agent.post("/api/v1/calls", {{"to", "+15551230001"}});
  REQUIRE(dialed.status == 201);
  const std::string id = dialed.json["id"];
  REQUIRE(agent.post("/api/v1/calls/" + id + "/join", nlohmann::json::object()).status == 200);
  REQUIRE(eventually([&] {
    const auto call = agent.get("/api/v1/calls/" + id).json;
    return call["status"] == "in-progress" && call["legs"]["agent"]["state"] == "connected";
  }));
  REQUIRE(agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);

  const auto scraped = sb::test::httpCall(host.port(), "GET", "/metrics");  // no key needed
  REQUIRE(scraped.status == 200);
  CHECK(scraped.header("Content-Type").value_or("").rfind("text/plain; version=0.0.4", 0) == 0);
  const std::string text = "\n" + scraped.body;
  CHECK(sample(text, "switchboard_calls_initiated_total") == 1);
  CHECK(sample(text, "switchboard_agent_connections_attempted_total") == 1);
  CHECK(sample(text, "switchboard_agent_connections_established_total") == 1);
  CHECK(sample(text, "switchboard_calls_completed_total{result=\"answered\"}") == 1);
  CHECK(sample(text, "switchboard_call_duration_seconds_count") == 1);
  CHECK(sample(text, "switchboard_call_duration_seconds_bucket{le=\"+Inf\"}") == 1);
  CHECK(sample(text, "switchboard_http_requests_total{route=\"calls.create\",method=\"POST\",status=\"201\"}") == 1);
  CHECK(sample(text, "switchboard_http_request_duration_seconds_count{route=\"calls.create\"}") == 1);
  CHECK(sample(text, "switchboard_call_events_total") >= 3);
  CHECK(text.find("# TYPE switchboard_http_request_duration_seconds histogram") != std::string::npos);
  // Numbers never appear in metric labels.
  CHECK(text.find("+1555") == std::string::npos);
}

TEST_CASE("metrics: can require an admin key", "[metrics]") {
  sb::test::TestHost host(std::map<std::string, std::string>{{"metrics.require_key", "true"}});
  CHECK(sb::test::httpCall(host.port(), "GET", "/metrics").status == 401);
  CHECK(ApiClient(host.port(), host.agentKey).get("/metrics").status == 403);
  CHECK(ApiClient(host.port(), host.adminKey).get("/metrics").status == 200);
}

// GET /api/v1/events: Server-Sent Events of call events with a per-agent
// filter, heartbeats, resume from Last-Event-ID, a client limit, and
// streams that do not hold the HTTP server's request threads.
#include "support/ApiClient.h"
#include "support/TestHost.h"

#include <catch2/catch.hpp>

#include <algorithm>

using sb::test::ApiClient;
using sb::test::EventStreamClient;
using sb::test::eventually;

namespace {

std::map<std::string, std::string> streamConfig(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> values = {
      {"provider.sim.ring_after_ms", "10"},
      {"provider.sim.answer_after_ms", "20"},
      {"provider.sim.agent_join_after_ms", "10"},
      {"sse.heartbeat_ms", "100"},
  };
  for (auto& [key, value] : extra) values[key] = value;
  return values;
}

std::string dial(const ApiClient& client, const std::string& to, const std::string& agent = "") {
  nlohmann::json body = {{"to", to}};
  if (!agent.empty()) body["agent_id"] = agent;
  const auto reply = client.post("/api/v1/calls", body);
  REQUIRE(reply.status == 201);
  return reply.json["id"];
}

}  // namespace

TEST_CASE("events: an agent's stream carries its own calls' events, in order, with the call's state", "[events]") {
  sb::test::TestHost host(streamConfig());
  ApiClient agent(host.port(), host.agentKey);
  ApiClient admin(host.port(), host.adminKey);
  EventStreamClient mine(host.port(), host.agentKey);
  EventStreamClient all(host.port(), host.adminKey);
  EventStreamClient rep2(host.port(), host.adminKey, "?agent_id=rep-2");
  REQUIRE(mine.status() == 200);
  REQUIRE(all.status() == 200);
  REQUIRE(rep2.status() == 200);

  const std::string own = dial(agent, "+15551230001");
  const std::string other = dial(admin, "+15551230002", "rep-2");
  REQUIRE(mine.waitFor(own, "leg.answered"));
  REQUIRE(all.waitFor(other, "leg.answered"));
  REQUIRE(rep2.waitFor(other, "leg.answered"));

  int64_t previous = 0;
  for (const auto& frame : mine.frames()) {
    CHECK(frame.event == "call");
    CHECK(frame.data["call"]["id"] == own);  // never the other agent's call
    const int64_t seq = std::stoll(frame.id);
    CHECK(seq > previous);
    previous = seq;
  }
  for (const auto& frame : rep2.frames()) {
    CHECK(frame.data["call"]["agent_id"] == "rep-2");
  }
  const auto frames = mine.frames();
  const auto answered = std::find_if(frames.begin(), frames.end(),
                                     [](const auto& f) { return f.data["event"]["type"] == "leg.answered"; });
  REQUIRE(answered != frames.end());
  CHECK(answered->data["call"]["status"] == "in-progress");
  agent.post("/api/v1/calls/" + own + "/end", nlohmann::json::object());
  admin.post("/api/v1/calls/" + other + "/end", nlohmann::json::object());
}

TEST_CASE("events: heartbeats keep an idle stream alive", "[events]") {
  sb::test::TestHost host(streamConfig());
  EventStreamClient stream(host.port(), host.agentKey);
  REQUIRE(stream.status() == 200);
  CHECK(eventually([&] { return stream.heartbeats() >= 3; }, std::chrono::seconds(5)));
}

TEST_CASE("events: a client resumes after Last-Event-ID without gaps or repeats", "[events]") {
  sb::test::TestHost host(streamConfig());
  ApiClient agent(host.port(), host.agentKey);
  std::vector<EventStreamClient::Frame> seen;
  std::string id;
  {
    EventStreamClient first(host.port(), host.agentKey);
    REQUIRE(first.status() == 200);
    id = dial(agent, "+15551230001");
    REQUIRE(first.waitFor(id, "leg.ringing"));
    seen = first.frames();
  }
  // Disconnected: the call goes on.
  REQUIRE(eventually([&] { return agent.get("/api/v1/calls/" + id).json["status"] == "in-progress"; }));
  agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object());

  EventStreamClient resumed(host.port(), host.agentKey, "", seen.back().id);
  REQUIRE(resumed.status() == 200);
  REQUIRE(resumed.waitFor(id, "call.end_requested"));
  std::vector<std::string> types;
  int64_t previous = std::stoll(seen.back().id);
  for (const auto& frame : resumed.frames()) {
    const int64_t seq = std::stoll(frame.id);
    CHECK(seq > previous);  // nothing already seen, nothing twice
    previous = seq;
    types.push_back(frame.data["event"]["type"]);
  }
  // Whichever connection carried it (the first may have had it in the same
  // write as the ringing), the answer is seen exactly once.
  std::vector<std::string> all;
  for (const auto& frame : seen) all.push_back(frame.data["event"]["type"]);
  all.insert(all.end(), types.begin(), types.end());
  CHECK(std::count(all.begin(), all.end(), "leg.answered") == 1);
  CHECK(std::find(types.begin(), types.end(), "leg.ringing") == types.end());
  // The timeline has exactly what the two connections saw, once the stream
  // has caught up with it (the call's last events may follow the end
  // request by a moment).
  const auto timeline = agent.get("/api/v1/calls/" + id).json["timeline"];
  REQUIRE_FALSE(timeline.empty());
  const int64_t last = timeline.back()["seq"];
  REQUIRE(eventually([&] {
    const auto frames = resumed.frames();
    return !frames.empty() && std::stoll(frames.back().id) >= last;
  }));
  std::vector<int64_t> streamed;
  for (const auto& frame : seen) streamed.push_back(std::stoll(frame.id));
  for (const auto& frame : resumed.frames()) {
    if (std::stoll(frame.id) <= last) streamed.push_back(std::stoll(frame.id));
  }
  std::vector<int64_t> stored;
  for (const auto& event : timeline) stored.push_back(event["seq"]);
  CHECK(streamed == stored);
}

TEST_CASE("events: streams need a key, are limited, and do not hold request threads", "[events]") {
  sb::test::TestHost host(streamConfig({{"http.max_threads", "4"}, {"sse.max_clients", "8"}}));
  const auto anonymous = sb::test::httpCall(host.port(), "GET", "/api/v1/events");
  CHECK(anonymous.status == 401);
  CHECK(
      sb::test::httpCall(host.port(), "GET", "/api/v1/events", {{"X-API-Key", host.agentKey}, {"Last-Event-ID", "abc"}})
          .status == 400);

  std::vector<std::unique_ptr<EventStreamClient>> streams;
  for (int i = 0; i < 8; ++i) {
    streams.push_back(std::make_unique<EventStreamClient>(host.port(), host.agentKey));
    REQUIRE(streams.back()->status() == 200);
  }
  // Eight open streams, four request threads: the API still answers.
  ApiClient agent(host.port(), host.agentKey);
  for (int i = 0; i < 5; ++i) {
    CHECK(agent.get("/api/v1/me").status == 200);
  }
  EventStreamClient refused(host.port(), host.agentKey);
  CHECK(refused.status() == 503);
  // A client that leaves frees its place.
  streams.pop_back();
  CHECK(eventually([&] {
    EventStreamClient again(host.port(), host.agentKey);
    return again.status() == 200;
  }));
}

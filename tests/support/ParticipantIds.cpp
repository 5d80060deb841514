#include "support/ParticipantIds.h"

#include <catch2/catch.hpp>

#include <set>

namespace sb::test {
namespace {

nlohmann::json agentOf(const nlohmann::json& status) {
  for (const auto& participant : status["participants"]) {
    if (participant["role"] == "agent") {
      return participant;
    }
  }
  return nullptr;
}

void addIdsOfAgent(const nlohmann::json& event, std::set<std::string>& ids) {
  if (event.value("leg", nlohmann::json()) == "agent") {
    ids.insert(event.value("participant_id", nlohmann::json()).dump());
  }
}

}  // namespace

void checkAgentNamedOnce(const ApiClient& client, const EventStreamClient& stream, const std::string& prefix,
                         const std::string& conferenceSid, const std::string& id, const std::string& alias) {
  REQUIRE_FALSE(id.empty());
  REQUIRE(id != alias);
  const auto muted =
      client.post(prefix + "/control/mute",
                  {{"conference_sid", conferenceSid}, {"participant_sid", id}, {"action", "mute"}, {"value", true}});
  INFO(muted.body);
  REQUIRE(muted.status == 200);
  CHECK(muted.json["participant_sid"] == id);
  nlohmann::json agent = agentOf(client.get(prefix + "/status/" + conferenceSid).json);
  CHECK(agent["participant_sid"] == id);
  CHECK(agent["muted"] == true);
  CHECK(agent["provider_participant_id"] == alias);

  const auto unmuted = client.post(
      prefix + "/control/mute", {{"conference_sid", conferenceSid}, {"participant_sid", alias}, {"action", "unmute"}});
  INFO(unmuted.body);
  REQUIRE(unmuted.status == 200);
  CHECK(unmuted.json["participant_sid"] == id);
  agent = agentOf(client.get(prefix + "/status/" + conferenceSid).json);
  CHECK(agent["participant_sid"] == id);
  CHECK(agent["muted"] == false);

  const auto call = client.get("/api/v1/calls/" + conferenceSid);
  REQUIRE(call.status == 200);
  CHECK(call.json["legs"]["agent"]["participant_id"] == id);
  CHECK(call.json["legs"]["agent"]["provider_leg_id"] == alias);
  std::set<std::string> ids;
  for (const auto& event : call.json["timeline"]) {
    addIdsOfAgent(event, ids);
  }
  CHECK(ids == std::set<std::string>{nlohmann::json(id).dump()});
  REQUIRE(stream.waitFor(conferenceSid, "control.mute"));  // the host records each control
  ids.clear();
  for (const auto& frame : stream.frames()) {
    if (frame.data["event"].value("call_id", "") != conferenceSid) continue;
    addIdsOfAgent(frame.data["event"], ids);
    const auto& named = frame.data["call"]["legs"]["agent"]["participant_id"];
    CHECK((named.is_null() || named == id));  // null until the agent joins
  }
  CHECK(ids == std::set<std::string>{nlohmann::json(id).dump()});
}

}  // namespace sb::test

#include "SimCall.h"

namespace sb::sim {

nlohmann::json SimCall::toJson() const {
  return {{"call_id", callId},
          {"provider_call_id", providerCallId},
          {"conference_id", conferenceId},
          {"agent_leg_id", agentLegId},
          {"to", to},
          {"contact_state", contactState},
          {"agent_state", agentState},
          {"conference_started", conferenceStarted},
          {"conference_ended", conferenceEnded},
          {"contact_muted", contactMuted},
          {"contact_held", contactHeld},
          {"agent_muted", agentMuted},
          {"agent_held", agentHeld},
          {"answered_at_ms", answeredAtMs},
          {"sequence", sequence},
          {"revision", revision}};
}

SimCall SimCall::fromJson(const nlohmann::json& json) {
  SimCall call;
  call.callId = json.at("call_id").get<std::string>();
  call.providerCallId = json.at("provider_call_id").get<std::string>();
  call.conferenceId = json.at("conference_id").get<std::string>();
  call.agentLegId = json.at("agent_leg_id").get<std::string>();
  call.to = json.at("to").get<std::string>();
  call.contactState = json.at("contact_state").get<std::string>();
  call.agentState = json.at("agent_state").get<std::string>();
  call.conferenceStarted = json.at("conference_started").get<bool>();
  call.conferenceEnded = json.at("conference_ended").get<bool>();
  call.contactMuted = json.at("contact_muted").get<bool>();
  call.contactHeld = json.at("contact_held").get<bool>();
  call.agentMuted = json.at("agent_muted").get<bool>();
  call.agentHeld = json.at("agent_held").get<bool>();
  call.answeredAtMs = json.at("answered_at_ms").get<int64_t>();
  call.sequence = json.at("sequence").get<int64_t>();
  call.revision = json.at("revision").get<int64_t>();
  return call;
}

}  // namespace sb::sim

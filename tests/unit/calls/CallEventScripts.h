#pragma once

// The canonical event sequences of a call for each sim result, as a
// provider reports them: what the state machine and property tests feed in
// every order.

#include <switchboard/core/calls/Call.h>
#include <switchboard/sdk/model.hpp>

#include <string>
#include <vector>

namespace sb::test {

/// A call as CallCommands::start leaves it before the provider answers.
inline core::CallRecord callRecord(const std::string& id, const std::string& agent) {
  core::CallRecord call;
  call.id = id;
  call.agentId = agent;
  call.provider = "test";
  call.toE164 = "+15551230001";
  call.fromE164 = "+15551239999";
  call.conferenceName = "COLD_CALL_" + id;
  call.sessionId = "sess_" + id;
  call.createdAt = 1'700'000'000'000;
  return call;
}

inline sdk::CallEvent callEvent(const std::string& callId, const std::string& key, const std::string& type,
                                const std::string& leg, int64_t atMs, int64_t sequence) {
  sdk::CallEvent e;
  e.eventKey = key;
  e.type = type;
  e.callId = callId;
  e.leg = leg;
  e.occurredAtMs = atMs;
  e.sequence = sequence;
  return e;
}

/// "answered" (agent joins, mutes and unmutes, holds the contact, the
/// contact hangs up), "busy", "no-answer", "failed".
inline std::vector<sdk::CallEvent> eventScript(const std::string& result, const std::string& callId) {
  namespace ev = sdk::event;
  const int64_t t0 = 1'700'000'000'000;
  std::vector<sdk::CallEvent> events;
  int64_t seq = 0;
  auto add = [&](const std::string& type, const std::string& leg, int64_t offsetMs) -> sdk::CallEvent& {
    ++seq;
    events.push_back(callEvent(callId, callId + "-e" + std::to_string(seq), type, leg, t0 + offsetMs, seq));
    return events.back();
  };
  add(ev::kLegRinging, "contact", 200);
  if (result == "answered") {
    add(ev::kLegAnswered, "contact", 1700);
    add(ev::kConferenceStarted, "", 1700);
    add(ev::kAgentJoined, "agent", 1900).providerCallId = "agent-leg-1";
    add(ev::kParticipantMuted, "agent", 5000).muted = true;
    add(ev::kParticipantMuted, "agent", 7000).muted = false;
    add(ev::kParticipantHeld, "contact", 9000).held = true;
    add(ev::kParticipantHeld, "contact", 9500).held = false;
    auto& ended = add(ev::kLegEnded, "contact", 31700);
    ended.cause = "completed";
    ended.durationS = 30;
    add(ev::kAgentLeft, "agent", 31750);
    add(ev::kConferenceEnded, "", 31800);
  } else {
    add(ev::kLegEnded, "contact", result == "no-answer" ? 30200 : 1000).cause = result;
  }
  return events;
}

}  // namespace sb::test

#pragma once

#include <switchboard/core/calls/Call.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sb::core {

/// What an agent is doing now (product §4b), as the supervisor's board
/// shows it.
namespace agent_activity {
inline constexpr const char* kIdle = "idle";
inline constexpr const char* kDialing = "dialing";
inline constexpr const char* kRinging = "ringing";
inline constexpr const char* kTalking = "talking";
inline constexpr const char* kOnHold = "on_hold";
inline constexpr const char* kLogging = "logging";
/// How long after a call ends with no outcome its agent still counts as
/// logging it; past that the call is left unlogged and the agent is idle
/// (the rep's page keeps reminding them).
inline constexpr int64_t kLoggingWindowMs = int64_t{15} * 60 * 1000;
}  // namespace agent_activity

struct AgentActivity {
  std::string state = agent_activity::kIdle;
  /// Unix ms the state began (the dial, the ring, the answer, the end);
  /// absent for an agent with no call to go by.
  std::optional<int64_t> sinceMs;
  /// The call the state comes from while it is live or being logged.
  bool showsCall = false;
};

/// An agent's state from their latest call (nullptr: none today): live
/// calls by their status (held contact: on hold), an ended call with no
/// outcome within the logging window: logging; else idle.
AgentActivity activityOf(const CallRecord* latest, int64_t nowMs);

}  // namespace sb::core

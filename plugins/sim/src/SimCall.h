#pragma once

#include "SimScenario.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace sb::sim {

/// One call as the simulated carrier sees it.
struct SimCall {
  std::string callId;
  std::string providerCallId;
  std::string conferenceId;
  std::string agentLegId;
  std::string to;
  Scenario scenario;                       ///< only the host that placed the call runs its timers
  std::string contactState = "initiated";  ///< initiated|ringing|in-progress|completed|busy|no-answer|failed|canceled
  std::string agentState;                  ///< ""|connecting|connected|disconnected
  bool conferenceStarted = false;
  bool conferenceEnded = false;
  bool contactMuted = false;
  bool contactHeld = false;
  bool agentMuted = false;
  bool agentHeld = false;
  int64_t answeredAtMs = 0;
  int64_t sequence = 0;       ///< events emitted so far
  int64_t revision = 0;       ///< changes published so far, on every host: the newer copy has more
  bool webhooksLost = false;  ///< while set, events are made and never delivered (not shared)

  /// The copy kept in the host's shared state (all but the scenario).
  nlohmann::json toJson() const;
  /// Throws nlohmann::json::exception on a malformed copy.
  static SimCall fromJson(const nlohmann::json& json);
};

}  // namespace sb::sim

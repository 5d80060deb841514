#pragma once

#include <switchboard/sdk/config.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace sb::sim {

/// How the simulated contact reacts to a call.
enum class Outcome { Answered, Busy, NoAnswer, Failed };

struct Scenario {
  Outcome outcome = Outcome::Answered;
  /// For Answered: the contact hangs up this long after answering
  /// (0 = never; the agent ends the call).
  std::chrono::milliseconds hangupAfter{0};
  /// The carrier's webhooks for that hang-up are lost (a fault to test the
  /// host's status checks): the call ends at the carrier, unheard.
  bool hangupUnheard = false;
};

struct Timings {
  std::chrono::milliseconds ringAfter{200};       ///< dial -> leg.ringing
  std::chrono::milliseconds answerAfter{1500};    ///< ringing -> answered
  std::chrono::milliseconds rejectAfter{800};     ///< ringing -> busy / failed
  std::chrono::milliseconds noAnswerAfter{4000};  ///< ringing -> no-answer
  std::chrono::milliseconds agentJoinAfter{300};  ///< credential issued -> agent.joined
};

/// Parses "answered", "busy", "no-answer", "failed", "hangup:SECONDS"
/// (answered, then the contact hangs up) or "hangup-unheard:SECONDS" (the
/// same, and the webhooks of the hang-up are lost). Throws ProviderError
/// naming the config key on anything else.
Scenario parseScenario(const std::string& text, const std::string& key);

/// Picks the scenario for a number: the entry of config section `results`
/// whose key is the longest suffix of the number wins, else
/// `default_result`, else answered.
Scenario scenarioFor(const sdk::Config& config, const std::string& number);

Timings timingsFrom(const sdk::Config& config);

const char* outcomeCause(Outcome outcome);

}  // namespace sb::sim

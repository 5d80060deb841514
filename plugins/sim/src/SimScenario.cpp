#include "SimScenario.h"

namespace sb::sim {

Scenario parseScenario(const std::string& text, const std::string& key) {
  Scenario scenario;
  if (text == "answered") return scenario;
  if (text == "busy") {
    scenario.outcome = Outcome::Busy;
    return scenario;
  }
  if (text == "no-answer") {
    scenario.outcome = Outcome::NoAnswer;
    return scenario;
  }
  if (text == "failed") {
    scenario.outcome = Outcome::Failed;
    return scenario;
  }
  for (const std::string hangup : {"hangup:", "hangup-unheard:"}) {
    if (text.rfind(hangup, 0) != 0) {
      continue;
    }
    try {
      size_t used = 0;
      const double seconds = std::stod(text.substr(hangup.size()), &used);
      if (used == text.size() - hangup.size() && seconds > 0) {
        scenario.hangupAfter = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
        scenario.hangupUnheard = hangup == "hangup-unheard:";
        return scenario;
      }
    } catch (const std::exception&) {
      // reported below
    }
  }
  throw sdk::ProviderError(sdk::Status::InvalidArgument,
                           "sim config '" + key + "' = '" + text +
                               "': expected answered, busy, no-answer, failed, hangup:SECONDS or "
                               "hangup-unheard:SECONDS");
}

Scenario scenarioFor(const sdk::Config& config, const std::string& number) {
  const nlohmann::json results = config.section("results").raw();
  size_t best = 0;
  std::string chosenKey;
  std::string chosen;
  for (auto it = results.begin(); it != results.end(); ++it) {
    const std::string& suffix = it.key();
    if (!it->is_string() || suffix.empty() || suffix.size() > number.size() || suffix.size() <= best) {
      continue;
    }
    if (number.compare(number.size() - suffix.size(), suffix.size(), suffix) == 0) {
      best = suffix.size();
      chosenKey = "results." + suffix;
      chosen = it->get<std::string>();
    }
  }
  if (!chosen.empty()) {
    return parseScenario(chosen, chosenKey);
  }
  return parseScenario(config.getString("default_result", "answered"), "default_result");
}

Timings timingsFrom(const sdk::Config& config) {
  auto ms = [&](const char* key, std::chrono::milliseconds fallback) {
    const int64_t value = config.getInt(key, fallback.count());
    if (value < 0) {
      throw sdk::ProviderError(sdk::Status::InvalidArgument, std::string("sim config '") + key + "' must be >= 0");
    }
    return std::chrono::milliseconds(value);
  };
  Timings defaults;
  Timings timings;
  timings.ringAfter = ms("ring_after_ms", defaults.ringAfter);
  timings.answerAfter = ms("answer_after_ms", defaults.answerAfter);
  timings.rejectAfter = ms("reject_after_ms", defaults.rejectAfter);
  timings.noAnswerAfter = ms("no_answer_after_ms", defaults.noAnswerAfter);
  timings.agentJoinAfter = ms("agent_join_after_ms", defaults.agentJoinAfter);
  return timings;
}

const char* outcomeCause(Outcome outcome) {
  switch (outcome) {
    case Outcome::Answered: return "completed";
    case Outcome::Busy: return "busy";
    case Outcome::NoAnswer: return "no-answer";
    case Outcome::Failed: return "failed";
  }
  return "failed";
}

}  // namespace sb::sim

#pragma once

// Reads and places calls through the HTTP API while a test drives a
// provider: the helpers every call-loop test needs.

#include "support/ApiClient.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>

namespace sb::test {

class CallProbe {
 public:
  explicit CallProbe(const ApiClient& client) : client_(client) {}

  /// GET /api/v1/calls/{id}; the test fails unless it answers 200.
  nlohmann::json call(const std::string& id) const;
  /// Waits (10 s at most) until `test` holds for the call; says where the
  /// call stopped when it does not.
  bool reaches(const std::string& id, const std::function<bool(const nlohmann::json&)>& test) const;
  /// POST /api/v1/calls {"to"}; the test fails unless it answers 201.
  std::string dial(const std::string& to) const;

  static bool hasEvent(const nlohmann::json& call, const std::string& type);
  /// The bridge is over for both sides: the call completed, the agent's leg
  /// disconnected and the conference ended.
  static bool bridgeOver(const nlohmann::json& call);

  /// What the fakes' dialed numbers do in the call-loop tests: answered
  /// unless listed.
  static const std::map<std::string, std::string>& loopOutcomes();

 private:
  const ApiClient& client_;
};

}  // namespace sb::test

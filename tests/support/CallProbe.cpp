#include "support/CallProbe.h"

#include <catch2/catch.hpp>

namespace sb::test {

nlohmann::json CallProbe::call(const std::string& id) const {
  const auto reply = client_.get("/api/v1/calls/" + id);
  REQUIRE(reply.status == 200);
  return reply.json;
}

bool CallProbe::reaches(const std::string& id, const std::function<bool(const nlohmann::json&)>& test) const {
  if (eventually([&] { return test(call(id)); })) {
    return true;
  }
  UNSCOPED_INFO("the call never got there: " << call(id).dump());
  return false;
}

std::string CallProbe::dial(const std::string& to) const {
  const auto dialed = client_.post("/api/v1/calls", {{"to", to}});
  INFO(dialed.body);
  REQUIRE(dialed.status == 201);
  return dialed.json["id"];
}

bool CallProbe::hasEvent(const nlohmann::json& call, const std::string& type) {
  for (const auto& event : call["timeline"]) {
    if (event["type"] == type) {
      return true;
    }
  }
  return false;
}

bool CallProbe::bridgeOver(const nlohmann::json& call) {
  return call["status"] == "completed" && call["legs"]["agent"]["state"] == "disconnected" &&
         hasEvent(call, "conference.ended");
}

const std::map<std::string, std::string>& CallProbe::loopOutcomes() {
  static const std::map<std::string, std::string> kOutcomes = {{"+12125550002", "busy"},
                                                               {"+12125550003", "no-answer"},
                                                               {"+12125550004", "failed"},
                                                               {"+12125550005", "hangup:400"},
                                                               {"+12125550009", "invalid"}};
  return kOutcomes;
}

}  // namespace sb::test

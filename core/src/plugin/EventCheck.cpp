#include <switchboard/core/plugin/EventCheck.h>

#include <switchboard/core/plugin/JsonSchema.h>

namespace sb::core {

const char* callEventSchemaText();  // generated from the SDK's schema (core/CMakeLists.txt)

std::vector<std::string> callEventProblems(const nlohmann::json& event) {
  static const nlohmann::json schema = nlohmann::json::parse(callEventSchemaText());
  return validateJson(schema, event);
}

}  // namespace sb::core

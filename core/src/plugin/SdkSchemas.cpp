#include <switchboard/core/plugin/JsonSchema.h>
#include <switchboard/core/plugin/SdkSchemas.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string_view>

namespace sb::core {

const char* sdkSchemaText(std::string_view name);  // generated (cmake/SbEmbedSchemas.cmake)

const nlohmann::json& sdkSchema(const std::string& name) {
  // Parsed once each, on first use; entries are never removed, so the
  // references handed out stay valid.
  static std::mutex mutex;
  static std::map<std::string, nlohmann::json, std::less<>> parsed;
  const std::lock_guard lock(mutex);
  if (auto found = parsed.find(name); found != parsed.end()) {
    return found->second;
  }
  const char* text = sdkSchemaText(name);
  if (text == nullptr) {
    throw std::out_of_range("the SDK has no schema '" + name + "'");
  }
  return parsed.emplace(name, nlohmann::json::parse(text)).first->second;
}

std::vector<std::string> sdkSchemaProblems(const std::string& name, const nlohmann::json& document) {
  return validateJson(sdkSchema(name), document);
}

}  // namespace sb::core

#pragma once

#include <switchboard/core/plugin/JsonSchema.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sb::test {

/// core's validator (the host checks plugins' events with it too).
inline std::vector<std::string> validate(const nlohmann::json& schema, const nlohmann::json& instance) {
  return core::validateJson(schema, instance);
}

/// A schema inside a larger document, its "$ref"s resolved against `root`.
inline std::vector<std::string> validate(const nlohmann::json& schema, const nlohmann::json& instance,
                                         const nlohmann::json& root) {
  return core::validateJson(schema, instance, root);
}

/// Loads sdk/schema/<name>.schema.json from the source tree.
nlohmann::json loadSchema(const std::string& name);

}  // namespace sb::test

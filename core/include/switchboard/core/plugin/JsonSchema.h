#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sb::core {

/// A validator for the JSON Schema subset the SDK's schemas use: type, enum,
/// const, properties, required, additionalProperties, items, minLength,
/// maxLength, pattern, minimum, maximum, $ref (local "#/..."), allOf,
/// anyOf, oneOf. Returns one message per violation, each with its JSON
/// pointer; empty means valid.
std::vector<std::string> validateJson(const nlohmann::json& schema, const nlohmann::json& instance);

/// The same, for a schema inside a larger document (an OpenAPI description):
/// its "$ref"s resolve against `root`, which is neither copied nor changed.
std::vector<std::string> validateJson(const nlohmann::json& schema, const nlohmann::json& instance,
                                      const nlohmann::json& root);

}  // namespace sb::core

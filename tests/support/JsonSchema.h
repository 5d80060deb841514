#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sb::test {

/// A validator for the JSON Schema subset our schemas use: type, enum,
/// const, properties, required, additionalProperties, items, minLength,
/// maxLength, pattern, minimum, maximum, $ref (local "#/..."), allOf,
/// anyOf, oneOf. Returns one message per violation, each with its JSON
/// pointer; empty means valid.
std::vector<std::string> validate(const nlohmann::json& schema, const nlohmann::json& instance);

/// Loads sdk/schema/<name>.schema.json from the source tree.
nlohmann::json loadSchema(const std::string& name);

}  // namespace sb::test

#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sb::core {

/// The SDK's JSON Schema `<name>.schema.json` (sdk/schema), built into the
/// host: "call_event", "capabilities", "call.start.result", ... Throws
/// std::out_of_range for a name the SDK has no schema for.
const nlohmann::json& sdkSchema(const std::string& name);

/// What is wrong with `document` against sdkSchema(name); empty when valid.
std::vector<std::string> sdkSchemaProblems(const std::string& name, const nlohmann::json& document);

}  // namespace sb::core

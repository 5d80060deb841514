#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sb::core {

/// What is wrong with an event a plugin emitted, checked against the SDK's
/// own schema (sdk/schema/call_event.schema.json, built into the host): a
/// type, leg or cause outside the schema, a field of the wrong type, one the
/// schema does not know. Each problem names the field (a JSON pointer);
/// empty when the event is valid.
std::vector<std::string> callEventProblems(const nlohmann::json& event);

/// The log line for a refused event: the plugin, the event's type and key,
/// each problem.
std::string refusedEventMessage(const std::string& plugin, const nlohmann::json& event,
                                const std::vector<std::string>& problems);

}  // namespace sb::core

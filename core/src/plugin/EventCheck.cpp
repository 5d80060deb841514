#include <switchboard/core/plugin/EventCheck.h>
#include <switchboard/core/plugin/JsonSchema.h>

#include <switchboard/core/plugin/SdkSchemas.h>

namespace sb::core {

std::vector<std::string> callEventProblems(const nlohmann::json& event) {
  static const nlohmann::json& schema = sdkSchema("call_event");
  return validateJson(schema, event);
}

std::string refusedEventMessage(const std::string& plugin, const nlohmann::json& event,
                                const std::vector<std::string>& problems) {
  // dump() escapes: a hostile type or key cannot forge a log line.
  const auto field = [&](const char* name) {
    return event.is_object() && event.contains(name) ? event[name].dump() : std::string("(none)");
  };
  std::string why;
  for (const auto& problem : problems) why += (why.empty() ? "" : "; ") + problem;
  return "plugin '" + plugin + "' emitted an event the SDK's schema refuses (type " + field("type") + ", event_key " +
         field("event_key") + "): " + why + "; rejected";
}

}  // namespace sb::core

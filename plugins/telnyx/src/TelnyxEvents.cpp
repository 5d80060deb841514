#include "TelnyxEvents.h"

#include <switchboard/sdk/civil_time.hpp>
#include <switchboard/sdk/encoding.hpp>
#include <switchboard/sdk/status.hpp>

namespace sb::telnyx {
namespace {

std::string text(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int64_t> digits(std::string_view value) {
  if (value.empty() || value.size() > 9) return std::nullopt;
  int64_t out = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    out = out * 10 + (c - '0');
  }
  return out;
}

}  // namespace

std::string encodeClientState(const ClientState& state) {
  return sdk::encoding::base64Encode(nlohmann::json{{"c", state.callId}, {"l", state.leg}}.dump());
}

std::optional<ClientState> decodeClientState(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  const auto raw = sdk::encoding::base64Decode(value.get<std::string>());
  if (!raw) return std::nullopt;
  const auto json = nlohmann::json::parse(*raw, nullptr, false);
  const std::string callId = text(json, "c");
  const std::string leg = text(json, "l");
  if (callId.empty() || (leg != sdk::leg::kContact && leg != sdk::leg::kAgent)) return std::nullopt;
  return ClientState{callId, leg};
}

std::optional<int64_t> parseIso8601(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  const auto year = digits(t.substr(0, 4));
  const auto month = digits(t.substr(5, 2));
  const auto day = digits(t.substr(8, 2));
  const auto hour = digits(t.substr(11, 2));
  const auto minute = digits(t.substr(14, 2));
  const auto second = digits(t.substr(17, 2));
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 || *day < 1 || *day > 31 ||
      *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  size_t at = 19;
  int64_t millis = 0;
  if (at < t.size() && t[at] == '.') {
    ++at;
    int64_t scale = 100;
    while (at < t.size() && t[at] >= '0' && t[at] <= '9') {
      millis += (t[at] - '0') * scale;  // beyond milliseconds the digits add 0
      scale /= 10;
      ++at;
    }
  }
  int64_t offsetS = 0;
  if (at < t.size() && t[at] == 'Z' && at + 1 == t.size()) {
    offsetS = 0;
  } else if (at + 6 == t.size() && (t[at] == '+' || t[at] == '-') && t[at + 3] == ':') {
    const auto oh = digits(t.substr(at + 1, 2));
    const auto om = digits(t.substr(at + 4, 2));
    if (!oh || !om) return std::nullopt;
    offsetS = (*oh * 3600 + *om * 60) * (t[at] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const int64_t seconds = sdk::daysFromCivil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 + *second;
  return (seconds - offsetS) * 1000 + millis;
}

std::string causeFromHangup(std::string_view cause) {
  if (cause == "normal_clearing" || cause == "time_limit") return "completed";
  if (cause == "user_busy" || cause == "call_rejected") return "busy";
  if (cause == "timeout" || cause == "no_answer") return "no-answer";
  if (cause == "originator_cancel") return "canceled";
  return "failed";  // not_found, unspecified, anything new
}

std::vector<sdk::CallEvent> webhookEvents(const nlohmann::json& envelope, int64_t receivedAtMs) {
  const nlohmann::json* data = envelope.is_object() && envelope.contains("data") ? &envelope["data"] : nullptr;
  if (data == nullptr || !data->is_object() || text(*data, "event_type").empty() || text(*data, "id").empty()) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument,
                             "not a Telnyx v2 webhook (no data.event_type or data.id); set the application's "
                             "webhook_api_version to \"2\"");
  }
  const std::string type = text(*data, "event_type");
  const nlohmann::json payload = data->value("payload", nlohmann::json::object());
  const auto state = decodeClientState(payload.value("client_state", nlohmann::json()));

  sdk::CallEvent event;
  event.eventKey = text(*data, "id");  // the same on every redelivery
  event.callId = state ? state->callId : std::string();
  event.leg = state ? state->leg : std::string();
  event.providerCallId = text(payload, "call_control_id");
  event.conferenceId = text(payload, "conference_id");
  // conference.created/ended carry occurred_at in the payload.
  std::string occurred = text(*data, "occurred_at");
  if (occurred.empty()) occurred = text(payload, "occurred_at");
  event.occurredAtMs = parseIso8601(occurred).value_or(receivedAtMs);
  const bool agent = event.leg == sdk::leg::kAgent;

  if (type == "call.initiated") {
    if (agent) return {};  // the host already says "connecting"
    event.type = sdk::event::kLegInitiated;
  } else if (type == "call.answered") {
    event.type = agent ? sdk::event::kAgentJoined : sdk::event::kLegAnswered;
  } else if (type == "call.hangup") {
    event.type = agent ? sdk::event::kAgentLeft : sdk::event::kLegEnded;
    event.cause = causeFromHangup(text(payload, "hangup_cause"));
    // No duration from start_time: it is when the call started, ringing
    // included, and talk time counts from the answer. The host takes it from
    // the leg's answer and end events.
  } else if (type == "conference.created") {
    event.type = sdk::event::kConferenceStarted;
    event.leg.clear();
  } else if (type == "conference.ended") {
    event.type = sdk::event::kConferenceEnded;
    event.leg.clear();
  } else {
    // Participants' joins and leaves are told by their legs' answered and
    // hangup events; playback, speak, AMD and the rest are not tracked.
    return {};
  }
  if (event.type == sdk::event::kConferenceStarted || event.type == sdk::event::kConferenceEnded) {
    event.providerCallId.clear();
  }
  return {event};
}

}  // namespace sb::telnyx

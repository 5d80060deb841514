#include "TelnyxRest.h"

#include <switchboard/sdk/encoding.hpp>

namespace sb::telnyx {
namespace {

/// A path segment: call_control_id ("v3:...") and conference names are
/// percent-encoded, with %20 for a space.
std::string segment(const std::string& value) {
  std::string out;
  for (const char c : sdk::encoding::formEncode(value)) {
    if (c == '+') {
      out += "%20";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

RestRequest dial(const std::string& connectionId, const std::string& to, const std::string& from,
                 const std::string& clientState, const std::string& commandId, int64_t timeoutS,
                 const std::string& webhookUrl) {
  nlohmann::json body = {{"connection_id", connectionId},
                         {"to", to},
                         {"from", from},
                         {"client_state", clientState},
                         {"command_id", commandId},
                         {"timeout_secs", timeoutS}};
  if (!webhookUrl.empty()) {
    body["webhook_url"] = webhookUrl;
    body["webhook_url_method"] = "POST";
  }
  return {"POST", "/calls", body};
}

RestRequest hangup(const std::string& callControlId, const std::string& commandId) {
  return {"POST", "/calls/" + segment(callControlId) + "/actions/hangup", {{"command_id", commandId}}};
}

RestRequest answer(const std::string& callControlId, const std::string& clientState, const std::string& commandId) {
  return {"POST",
          "/calls/" + segment(callControlId) + "/actions/answer",
          {{"client_state", clientState}, {"command_id", commandId}}};
}

RestRequest fetchCall(const std::string& callControlId) {
  return {"GET", "/calls/" + segment(callControlId), nullptr};
}

RestRequest createConference(const std::string& callControlId, const std::string& name, const std::string& commandId) {
  return {"POST",
          "/conferences",
          {{"call_control_id", callControlId}, {"name", name}, {"command_id", commandId}, {"beep_enabled", "never"}}};
}

RestRequest joinConference(const std::string& conference, const std::string& callControlId,
                           const std::string& commandId, const std::string& clientState, bool endConferenceOnExit) {
  return {"POST",
          "/conferences/" + segment(conference) + "/actions/join",
          {{"call_control_id", callControlId},
           {"command_id", commandId},
           {"client_state", clientState},
           {"end_conference_on_exit", endConferenceOnExit},
           {"start_conference_on_enter", true},
           {"beep_enabled", "never"}}};
}

RestRequest muteParticipant(const std::string& conference, const std::string& callControlId, bool muted) {
  return {"POST",
          "/conferences/" + segment(conference) + (muted ? "/actions/mute" : "/actions/unmute"),
          {{"call_control_ids", nlohmann::json::array({callControlId})}}};
}

RestRequest holdParticipant(const std::string& conference, const std::string& callControlId, bool held) {
  return {"POST",
          "/conferences/" + segment(conference) + (held ? "/actions/hold" : "/actions/unhold"),
          {{"call_control_ids", nlohmann::json::array({callControlId})}}};
}

RestRequest endConference(const std::string& conference, const std::string& commandId) {
  return {"POST", "/conferences/" + segment(conference) + "/actions/end", {{"command_id", commandId}}};
}

RestRequest listParticipants(const std::string& conferenceId) {
  return {"GET", "/conferences/" + segment(conferenceId) + "/participants", nullptr};
}

RestRequest mintLoginToken(const std::string& credentialId) {
  return {"POST", "/telephony_credentials/" + segment(credentialId) + "/token", nullptr};
}

std::string errorCode(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("errors") || !json["errors"].is_array() || json["errors"].empty()) {
    return {};
  }
  const auto& first = json["errors"][0];
  if (!first.is_object() || !first.contains("code")) return {};
  return first["code"].is_string() ? first["code"].get<std::string>() : first["code"].dump();
}

sdk::ProviderError errorFromResponse(int status, const std::string& body, std::optional<int64_t> retryAfterS) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  const std::string code = errorCode(body);
  std::string message = "HTTP " + std::to_string(status);
  if (json.is_object() && json.contains("errors") && json["errors"].is_array() && !json["errors"].empty()) {
    const auto& first = json["errors"][0];
    const std::string title = first.value("title", "");
    const std::string detail = first.value("detail", "");
    message = title.empty() ? detail : (detail.empty() ? title : title + ": " + detail);
  }
  const std::string text =
      "Telnyx " + (code.empty() ? std::string() : code + " ") + "(HTTP " + std::to_string(status) + "): " + message;
  sdk::Status mapped = sdk::Status::ProviderRejected;
  int64_t retryAfterMs = 0;
  if (status == 429 || code == "10011" || code == "90103") {
    mapped = sdk::Status::RateLimited;
    retryAfterMs = retryAfterS.value_or(1) * 1000;
  } else if (status == 401 || code == "10009") {
    mapped = sdk::Status::Unauthenticated;
  } else if (status == 403) {
    mapped = sdk::Status::PermissionDenied;
  } else if (code == "10016") {
    mapped = sdk::Status::InvalidPhone;
  } else if (status == 404 || code == "90018" || code == "90019" || code == "90015" || code == "90058") {
    mapped = sdk::Status::NotFound;
  } else if (status >= 500) {
    mapped = sdk::Status::Unavailable;
  }
  return sdk::ProviderError(mapped, text, retryAfterMs, code);
}

}  // namespace sb::telnyx

#include "TwilioRest.h"

#include "TwiML.h"

#include <nlohmann/json.hpp>

namespace sb::twilio {
namespace {

std::string accountPath(const std::string& accountSid) {
  return "/2010-04-01/Accounts/" + sdk::encoding::formEncode(accountSid);
}

/// A path segment: percent-encoded, with %20 for a space (not '+').
std::string segment(const std::string& value) {
  std::string encoded = sdk::encoding::formEncode(value);
  std::string out;
  for (const char c : encoded) {
    if (c == '+') {
      out += "%20";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

RestRequest createCall(const std::string& accountSid, const std::string& to, const std::string& from,
                       const std::string& twimlUrl, const std::string& statusCallback, int64_t ringTimeoutS) {
  RestRequest request{"POST", accountPath(accountSid) + "/Calls.json", {}, {}};
  request.form = {{"To", to},
                  {"From", from},
                  {"Url", twimlUrl},
                  {"Method", "POST"},
                  {"StatusCallback", statusCallback},
                  {"StatusCallbackMethod", "POST"},
                  // One key per value, as Twilio's SDKs send lists.
                  {"StatusCallbackEvent", "initiated"},
                  {"StatusCallbackEvent", "ringing"},
                  {"StatusCallbackEvent", "answered"},
                  {"StatusCallbackEvent", "completed"},
                  {"Timeout", std::to_string(ringTimeoutS)}};
  return request;
}

RestRequest hangUpCall(const std::string& accountSid, const std::string& callSid) {
  return {"POST", accountPath(accountSid) + "/Calls/" + segment(callSid) + ".json", {{"Status", "completed"}}, {}};
}

RestRequest fetchCall(const std::string& accountSid, const std::string& callSid) {
  return {"GET", accountPath(accountSid) + "/Calls/" + segment(callSid) + ".json", {}, {}};
}

RestRequest endConference(const std::string& accountSid, const std::string& conferenceSid) {
  return {"POST",
          accountPath(accountSid) + "/Conferences/" + segment(conferenceSid) + ".json",
          {{"Status", "completed"}},
          {}};
}

RestRequest findConference(const std::string& accountSid, const std::string& friendlyName) {
  return {"GET",
          accountPath(accountSid) + "/Conferences.json",
          {},
          // No Status filter: a conference waiting for its second participant
          // is "init", a mixing one "in-progress"; the caller skips "completed".
          sdk::encoding::formEncode(sdk::encoding::FormFields{{"FriendlyName", friendlyName}})};
}

RestRequest updateParticipant(const std::string& accountSid, const std::string& conferenceSid,
                              const std::string& participant, std::optional<bool> muted, std::optional<bool> hold) {
  RestRequest request{"POST",
                      accountPath(accountSid) + "/Conferences/" + segment(conferenceSid) + "/Participants/" +
                          segment(participant) + ".json",
                      {},
                      {}};
  if (muted) {
    request.form.emplace_back("Muted", boolText(*muted));
  }
  if (hold) {
    request.form.emplace_back("Hold", boolText(*hold));
  }
  return request;
}

sdk::ProviderError errorFromResponse(int status, const std::string& body, std::optional<int64_t> retryAfterS) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  int64_t code = 0;
  std::string message = "HTTP " + std::to_string(status);
  if (json.is_object()) {
    if (auto it = json.find("code"); it != json.end() && it->is_number_integer()) {
      code = it->get<int64_t>();
    }
    if (auto it = json.find("message"); it != json.end() && it->is_string()) {
      message = it->get<std::string>();
    }
  }
  const std::string codeText = code != 0 ? std::to_string(code) : std::string();
  const std::string text = "Twilio " + (codeText.empty() ? std::string() : codeText + " ") + "(HTTP " +
                           std::to_string(status) + "): " + message;
  sdk::Status mapped = sdk::Status::ProviderRejected;
  int64_t retryAfterMs = 0;
  if (status == 429 || code == 20429) {
    mapped = sdk::Status::RateLimited;
    retryAfterMs = retryAfterS.value_or(1) * 1000;
  } else if (status == 401 || code == 20003) {
    mapped = sdk::Status::Unauthenticated;
  } else if (status == 403) {
    mapped = sdk::Status::PermissionDenied;
  } else if (code == 21211 || code == 21214 || code == 21217) {
    mapped = sdk::Status::InvalidPhone;
  } else if (status == 404 || code == 20404 || code == 16003) {
    mapped = sdk::Status::NotFound;
  } else if (status >= 500) {
    mapped = sdk::Status::Unavailable;
  }
  return sdk::ProviderError(mapped, text, retryAfterMs, codeText);
}

}  // namespace sb::twilio

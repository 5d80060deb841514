#include "TwilioClient.h"

#include <switchboard/sdk/encoding.hpp>

namespace sb::twilio {
namespace {

std::optional<int64_t> retryAfterSeconds(const sdk::HttpResponse& response) {
  const auto header = response.header("Retry-After");
  if (!header || header->empty() || header->size() > 9) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (const char c : *header) {
    if (c < '0' || c > '9') {
      return std::nullopt;  // an HTTP date: treat as unknown
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

sdk::HttpResponse TwilioClient::sendOnce(const RestRequest& request) const {
  sdk::HttpRequest http;
  http.method = request.method;
  http.url = config_.baseUrl + request.path + (request.query.empty() ? "" : "?" + request.query);
  http.timeoutMs = static_cast<uint32_t>(config_.httpTimeoutMs);
  http.headers = {{"Authorization", "Basic " + sdk::encoding::base64Encode(config_.basicCredentials())},
                  {"Accept", "application/json"},
                  {"User-Agent", "switchboard-twilio/0.1"}};
  if (request.method == "POST") {
    http.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    http.body = sdk::encoding::formEncode(request.form);
  }
  return host_.http(http);
}

nlohmann::json TwilioClient::send(const RestRequest& request) const {
  // The host waits out a short 429 and resends a GET that got no answer or
  // a 5xx; a POST is never resent (no Idempotency-Key): a timed-out
  // POST /Calls may have dialed, and a second one would ring the contact
  // twice. Whatever comes back here is final.
  sdk::HttpResponse response;
  try {
    response = sendOnce(request);
  } catch (const sdk::ProviderError& e) {
    throw sdk::ProviderError(
        e.status(), std::string("Twilio did not answer ") + request.method + " " + request.path + ": " + e.what(),
        e.retryAfterMs());
  }
  if (response.status >= 200 && response.status < 300) {
    if (response.body.empty()) {
      return nlohmann::json::object();
    }
    nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
    if (json.is_discarded()) {
      throw sdk::ProviderError(sdk::Status::Unavailable, "Twilio answered " + request.path + " with invalid JSON");
    }
    return json;
  }
  throw errorFromResponse(response.status, response.body, retryAfterSeconds(response));
}

}  // namespace sb::twilio

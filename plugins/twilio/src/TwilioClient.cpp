#include "TwilioClient.h"

#include <switchboard/sdk/encoding.hpp>

#include <chrono>
#include <thread>

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
  const bool idempotent = request.method == "GET";
  int64_t rateLimited = 0;
  bool retriedFailure = false;
  for (;;) {
    sdk::HttpResponse response;
    try {
      response = sendOnce(request);
    } catch (const sdk::ProviderError& e) {
      if (idempotent && !retriedFailure && e.status() == sdk::Status::Unavailable) {
        retriedFailure = true;
        continue;
      }
      throw sdk::ProviderError(e.status(),
                               std::string("Twilio did not answer ") + request.method + " " + request.path + ": " +
                                   e.what() + (idempotent ? "" : " (not retried: it may have been carried out)"),
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
    const auto retryAfter = retryAfterSeconds(response);
    if (response.status == 429 && rateLimited < config_.rateLimitRetries &&
        retryAfter.value_or(1) * 1000 <= config_.maxRetryWaitMs) {
      // Twilio did not process a 429'd request: waiting and sending it again
      // cannot place a second call.
      ++rateLimited;
      std::this_thread::sleep_for(std::chrono::milliseconds(retryAfter.value_or(1) * 1000));
      continue;
    }
    if (idempotent && !retriedFailure && response.status >= 500) {
      retriedFailure = true;
      continue;
    }
    throw errorFromResponse(response.status, response.body, retryAfter);
  }
}

}  // namespace sb::twilio

#include "TelnyxClient.h"

#include <switchboard/sdk/encoding.hpp>

namespace sb::telnyx {
namespace {

std::optional<int64_t> secondsHeader(const sdk::HttpResponse& response, const char* name) {
  const auto header = response.header(name);
  if (!header || header->empty() || header->size() > 9) return std::nullopt;
  int64_t value = 0;
  for (const char c : *header) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

sdk::HttpResponse TelnyxClient::exchange(const RestRequest& request) const {
  sdk::HttpRequest http;
  http.method = request.method;
  http.url = config_.baseUrl + request.path;
  http.timeoutMs = static_cast<uint32_t>(config_.httpTimeoutMs);
  http.headers = {{"Authorization", "Bearer " + config_.apiKey},
                  {"Accept", "application/json"},
                  {"User-Agent", "switchboard-telnyx/0.1"}};
  if (!request.body.is_null()) {
    http.headers.emplace_back("Content-Type", "application/json");
    http.body = request.body.dump();
  }
  if (request.method == "POST") {
    // Every Call Control command is safe to send twice: it carries a
    // command_id (Telnyx ignores a duplicate within 60 s), and the rest
    // (mute, hold, a login token) set a state rather than add one. The key
    // tells the host it may resend one whose answer was lost.
    const std::string key = request.body.is_object() ? request.body.value("command_id", std::string()) : "";
    http.headers.emplace_back("Idempotency-Key",
                              key.empty() ? sdk::encoding::toHex(host_.crypto().randomBytes(16)) : key);
  }
  sdk::HttpResponse response;
  try {
    response = host_.http(http);
  } catch (const sdk::ProviderError& e) {
    throw sdk::ProviderError(e.status(),
                             "Telnyx did not answer " + request.method + " " + request.path + ": " + e.what());
  }
  if (response.status >= 200 && response.status < 300) {
    return response;
  }
  const auto wait = secondsHeader(response, "Retry-After") ? secondsHeader(response, "Retry-After")
                                                           : secondsHeader(response, "x-ratelimit-reset");
  throw errorFromResponse(response.status, response.body, wait);
}

nlohmann::json TelnyxClient::send(const RestRequest& request) const {
  const sdk::HttpResponse response = exchange(request);
  if (response.body.empty()) return nlohmann::json::object();
  const nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  if (!json.is_object()) {
    throw sdk::ProviderError(sdk::Status::Unavailable, "Telnyx answered " + request.path + " with invalid JSON");
  }
  return json.value("data", nlohmann::json::object());
}

std::string TelnyxClient::sendText(const RestRequest& request) const {
  return exchange(request).body;
}

}  // namespace sb::telnyx

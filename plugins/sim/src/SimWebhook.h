#pragma once

#include <switchboard/sdk/host.hpp>
#include <switchboard/sdk/model.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::sim {

inline constexpr const char* kTimestampHeader = "X-Sim-Timestamp";
inline constexpr const char* kSignatureHeader = "X-Sim-Signature";
/// Webhooks older or newer than this are refused (replay protection).
inline constexpr int64_t kSignatureWindowS = 300;

/// The sim's webhook signature: "v1=" + hex(HMAC-SHA256(secret,
/// timestamp + "." + url + "." + body)). Binding the URL means a webhook
/// replayed to another endpoint fails, as with Twilio's scheme.
std::string signWebhook(const sdk::Crypto& crypto, const std::string& secret, int64_t timestampS,
                        const std::string& url, const std::string& body);

/// Verifies signature and timestamp window, then translates the body (one
/// sim event object) into canonical events. Throws ProviderError:
/// Unauthenticated for a missing, bad or stale signature; InvalidArgument
/// for a malformed body.
std::vector<sdk::CallEvent> readWebhook(const sdk::Crypto& crypto, const std::string& secret, int64_t nowS,
                                        const sdk::HttpRequest& request);

}  // namespace sb::sim

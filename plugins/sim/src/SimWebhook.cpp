#include "SimWebhook.h"

#include <switchboard/sdk/encoding.hpp>
#include <switchboard/sdk/json.hpp>

namespace sb::sim {
namespace {}  // namespace

std::string signWebhook(const sdk::Crypto& crypto, const std::string& secret, int64_t timestampS,
                        const std::string& url, const std::string& body) {
  const std::string payload = std::to_string(timestampS) + "." + url + "." + body;
  return "v1=" + sdk::encoding::toHex(crypto.hmac("sha256", secret, payload));
}

std::vector<sdk::CallEvent> readWebhook(const sdk::Crypto& crypto, const std::string& secret, int64_t nowS,
                                        const sdk::HttpRequest& request) {
  const auto timestamp = request.header(kTimestampHeader);
  const auto signature = request.header(kSignatureHeader);
  if (!timestamp || !signature) {
    throw sdk::ProviderError(sdk::Status::Unauthenticated, "missing X-Sim-Timestamp or X-Sim-Signature header");
  }
  int64_t sentAt = 0;
  try {
    size_t used = 0;
    sentAt = std::stoll(*timestamp, &used);
    if (used != timestamp->size()) {
      throw std::invalid_argument("trailing characters");
    }
  } catch (const std::exception&) {
    throw sdk::ProviderError(sdk::Status::Unauthenticated, "X-Sim-Timestamp is not a Unix time");
  }
  if (sentAt < nowS - kSignatureWindowS || sentAt > nowS + kSignatureWindowS) {
    throw sdk::ProviderError(sdk::Status::Unauthenticated,
                             "webhook timestamp is outside the " + std::to_string(kSignatureWindowS) + " s window");
  }
  if (!sdk::encoding::constantTimeEquals(signWebhook(crypto, secret, sentAt, request.url, request.body), *signature)) {
    throw sdk::ProviderError(sdk::Status::Unauthenticated, "X-Sim-Signature does not match");
  }

  const nlohmann::json body = sdk::json::parseBounded(request.body);
  sdk::CallEvent event = sdk::CallEvent::fromJson(body);
  event.eventKey = "sim:" + event.eventKey;
  return {event};
}

}  // namespace sb::sim

#include "TelnyxSignature.h"

#include <switchboard/sdk/encoding.hpp>

namespace sb::telnyx {

std::optional<std::string> decodePublicKey(std::string_view base64) {
  auto key = sdk::encoding::base64Decode(base64);
  if (!key || key->size() != 32) {
    return std::nullopt;
  }
  return key;
}

SignatureVerdict verifyWebhook(const sdk::Crypto& crypto, const std::string& publicKey, std::string_view timestamp,
                               std::string_view signature, std::string_view body, int64_t nowS, int64_t toleranceS) {
  if (timestamp.empty() || signature.empty()) {
    return {false, "missing telnyx-timestamp or telnyx-signature-ed25519 header"};
  }
  if (timestamp.size() > 18) {
    return {false, "telnyx-timestamp is not a Unix time"};
  }
  int64_t sentAt = 0;
  for (const char c : timestamp) {
    if (c < '0' || c > '9') {
      return {false, "telnyx-timestamp is not a Unix time"};
    }
    sentAt = sentAt * 10 + (c - '0');
  }
  if (sentAt < nowS - toleranceS || sentAt > nowS + toleranceS) {
    return {false, "telnyx-timestamp is outside the " + std::to_string(toleranceS) +
                       " s window (a replay, or this host's clock is off)"};
  }
  const auto raw = sdk::encoding::base64Decode(signature);
  if (!raw || raw->size() != 64) {
    return {false, "telnyx-signature-ed25519 is not a base64 Ed25519 signature"};
  }
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append("|").append(body);
  if (!crypto.ed25519Verify(publicKey, message, *raw)) {
    return {false, "telnyx-signature-ed25519 does not match (check public_key: Mission Control > Keys & Credentials)"};
  }
  return {true, {}};
}

}  // namespace sb::telnyx

#pragma once

// Telnyx webhook signatures (reference: the design reference telnyx.md §5):
// telnyx-signature-ed25519 = base64(Ed25519 signature over
// "<telnyx-timestamp>|<raw body>") with the account's public key; the
// timestamp must be within 300 s of now, both ways. URL-independent, so a
// proxy in front of the host changes nothing.

#include <switchboard/sdk/host.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::telnyx {

inline constexpr int64_t kSignatureToleranceS = 300;

/// The 32 raw key bytes of a public key as Mission Control shows it
/// (base64); nullopt when it is not one.
std::optional<std::string> decodePublicKey(std::string_view base64);

struct SignatureVerdict {
  bool valid = false;
  std::string reason;  ///< why not, for the log
};

/// Verifies one delivery. `timestamp` and `signature` are the header
/// values as received (empty when missing), `body` the raw bytes.
SignatureVerdict verifyWebhook(const sdk::Crypto& crypto, const std::string& publicKey, std::string_view timestamp,
                               std::string_view signature, std::string_view body, int64_t nowS,
                               int64_t toleranceS = kSignatureToleranceS);

}  // namespace sb::telnyx

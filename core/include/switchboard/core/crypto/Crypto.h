#pragma once

#include <string>
#include <string_view>

namespace sb::core::crypto {

/// Raw HMAC; algorithm "sha1" or "sha256". Throws std::invalid_argument
/// for another algorithm.
std::string hmac(std::string_view algorithm, std::string_view key, std::string_view data);
/// Raw digest; algorithm "sha1" or "sha256".
std::string digest(std::string_view algorithm, std::string_view data);
/// True when the Ed25519 signature (64 bytes) of message verifies under the
/// raw 32-byte public key. Throws std::invalid_argument on bad sizes.
bool ed25519Verify(std::string_view publicKey, std::string_view message, std::string_view signature);
/// The Ed25519 signature (64 bytes) of message under the raw 32-byte
/// private key (seed), and the seed's public key: `switchboard
/// conformance` signs webhooks as an Ed25519-signing carrier would.
/// Throws std::invalid_argument on a bad size.
std::string ed25519Sign(std::string_view privateSeed, std::string_view message);
std::string ed25519PublicKey(std::string_view privateSeed);
/// Cryptographically secure random bytes.
std::string randomBytes(size_t size);
/// Constant-time equality, for comparing secrets and MACs.
bool constantTimeEquals(std::string_view a, std::string_view b);
std::string toHex(std::string_view bytes);

}  // namespace sb::core::crypto

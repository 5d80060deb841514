#pragma once

// Twilio Access Token for the Voice JS SDK (reference section 5): a JWT,
// HS256 keyed with the API key secret, header cty "twilio-fpa;v=1", with a
// VoiceGrant to the TwiML App (outgoing) and, when asked, incoming calls.

#include <switchboard/sdk/host.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace sb::twilio {

struct AccessTokenSpec {
  std::string accountSid;      ///< AC...
  std::string apiKeySid;       ///< SK..., the issuer
  std::string apiKeySecret;    ///< signs the token; never logged
  std::string identity;        ///< the client's address: client:<identity>
  std::string applicationSid;  ///< AP..., the TwiML App of outgoing calls
  bool incomingAllow = false;
  nlohmann::json outgoingParams;  ///< forwarded to the TwiML App request; null for none
  std::string region;             ///< header "twr" when set
  int64_t issuedAt = 0;           ///< Unix seconds
  int64_t ttlS = 3600;            ///< at most 86400 (Twilio refuses longer)
};

/// Builds and signs the token. Claims in a fixed order: jti, iss, sub, iat,
/// nbf, exp, grants. Throws std::invalid_argument on a missing field or a
/// ttl outside 1..86400.
std::string buildAccessToken(const sdk::Crypto& crypto, const AccessTokenSpec& spec);

}  // namespace sb::twilio

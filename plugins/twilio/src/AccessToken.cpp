#include "AccessToken.h"

#include <switchboard/sdk/encoding.hpp>

#include <stdexcept>

namespace sb::twilio {

std::string buildAccessToken(const sdk::Crypto& crypto, const AccessTokenSpec& spec) {
  constexpr int64_t kMaxTtlS = 86400;
  for (const auto* field : {&spec.accountSid, &spec.apiKeySid, &spec.apiKeySecret, &spec.applicationSid}) {
    if (field->empty()) {
      throw std::invalid_argument("an access token needs the account SID, API key SID and secret, and TwiML App SID");
    }
  }
  if (spec.ttlS <= 0 || spec.ttlS > kMaxTtlS) {
    throw std::invalid_argument("access token ttl must be 1-86400 s, got " + std::to_string(spec.ttlS));
  }
  nlohmann::ordered_json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"cty", "twilio-fpa;v=1"}};
  if (!spec.region.empty()) {
    header["twr"] = spec.region;
  }
  nlohmann::ordered_json voice = nlohmann::ordered_json::object();
  if (spec.incomingAllow) {
    voice["incoming"] = {{"allow", true}};
  }
  nlohmann::ordered_json outgoing = {{"application_sid", spec.applicationSid}};
  if (spec.outgoingParams.is_object() && !spec.outgoingParams.empty()) {
    outgoing["params"] = nlohmann::ordered_json::parse(spec.outgoingParams.dump());
  }
  voice["outgoing"] = outgoing;
  nlohmann::ordered_json grants = nlohmann::ordered_json::object();
  if (!spec.identity.empty()) {
    grants["identity"] = spec.identity;
  }
  grants["voice"] = voice;
  const nlohmann::ordered_json payload = {{"jti", spec.apiKeySid + "-" + std::to_string(spec.issuedAt)},
                                          {"iss", spec.apiKeySid},
                                          {"sub", spec.accountSid},
                                          {"iat", spec.issuedAt},
                                          {"nbf", spec.issuedAt},
                                          {"exp", spec.issuedAt + spec.ttlS},
                                          {"grants", grants}};
  const std::string signingInput =
      sdk::encoding::base64UrlEncode(header.dump()) + "." + sdk::encoding::base64UrlEncode(payload.dump());
  return signingInput + "." + sdk::encoding::base64UrlEncode(crypto.hmac("sha256", spec.apiKeySecret, signingInput));
}

}  // namespace sb::twilio

#pragma once

// The [provider.twilio] section, read and checked once at start-up so that
// a typo fails loudly there rather than on the first call.

#include <switchboard/sdk/config.hpp>
#include <switchboard/sdk/host.hpp>

#include <cstdint>
#include <string>

namespace sb::twilio {

struct TwilioConfig {
  std::string baseUrl = "https://api.twilio.com";
  std::string accountSid;      ///< AC...; in every REST path
  std::string authToken;       ///< verifies X-Twilio-Signature; REST auth when no API key is set
  std::string apiKeySid;       ///< SK...; signs Access Tokens (and REST auth when set)
  std::string apiKeySecret;    ///< never logged
  std::string twimlAppSid;     ///< AP...; the TwiML App whose voice URL is <webhook_base_url>/voice
  std::string callerId;        ///< From, when the host chooses none
  std::string webhookBaseUrl;  ///< public URL of /webhooks/twilio, as Twilio reaches it
  std::string region;          ///< Access Token "twr" header; empty for none
  std::string edge;            ///< passed to the page's Device (e.g. "ashburn"); empty for roaming
  int64_t tokenTtlS = 3600;    ///< at most 86400, Twilio's limit
  int64_t httpTimeoutMs = 10000;
  std::string sessionKey;  ///< derived: seals dial sessions

  /// Reads and validates; throws ProviderError(InvalidArgument) naming the
  /// key to fix.
  static TwilioConfig from(const sdk::Config& config, const sdk::Crypto& crypto);

  /// "user:password" for HTTP Basic: the API key when set, else the account.
  std::string basicCredentials() const;
};

}  // namespace sb::twilio

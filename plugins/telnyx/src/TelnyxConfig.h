#pragma once

// The [provider.telnyx] section, read and checked once at start-up.

#include <switchboard/sdk/config.hpp>
#include <switchboard/sdk/host.hpp>

#include <cstdint>
#include <string>

namespace sb::telnyx {

struct TelnyxConfig {
  std::string baseUrl = "https://api.telnyx.com/v2";
  std::string apiKey;          ///< Bearer; never logged
  std::string connectionId;    ///< the Call Control Application that dials the contact
  std::string credentialId;    ///< the telephony credential the browser's login tokens come from
  std::string publicKey;       ///< 32 raw bytes (config: base64, as Mission Control shows it)
  std::string callerId;        ///< from, when the host chooses none
  std::string webhookBaseUrl;  ///< public URL of /webhooks/telnyx
  int64_t httpTimeoutMs = 10000;
  int64_t toleranceS = 300;  ///< webhook timestamp window
  std::string sessionKey;    ///< derived: seals the browser leg's client_state

  static TelnyxConfig from(const sdk::Config& config, const sdk::Crypto& crypto);
};

}  // namespace sb::telnyx

#pragma once

// X-Twilio-Signature (reference: the design reference twilio.md section 4):
// base64(HMAC-SHA1(auth token, url + sorted form params as key+value)); for
// JSON bodies the URL carries bodySHA256=<hex sha256 of the body> and no
// params are appended. Twilio's SDKs accept a URL with its port removed or
// with the scheme's default port added, so the validator does too.

#include <switchboard/sdk/encoding.hpp>
#include <switchboard/sdk/host.hpp>

#include <string>
#include <string_view>

namespace sb::twilio {

/// The signature Twilio would send for `url` and form `params`.
std::string computeSignature(const sdk::Crypto& crypto, std::string_view authToken, std::string_view url,
                             const sdk::encoding::FormFields& params);

/// The URL with any explicit port removed, and with the scheme's default
/// port (443, 80) added when there is none; empty when `url` is not
/// absolute.
std::string urlWithoutPort(std::string_view url);
std::string urlWithPort(std::string_view url);

struct SignatureVerdict {
  bool valid = false;
  std::string reason;  ///< why not, for the log (never the expected signature)
};

/// Verifies a webhook: `url` is the public URL Twilio called (query
/// included), `contentType` and `body` the request's. Form bodies are signed
/// with their params; any other body must be bound by bodySHA256 in the URL.
SignatureVerdict verifySignature(const sdk::Crypto& crypto, std::string_view authToken, std::string_view url,
                                 std::string_view contentType, std::string_view body, std::string_view signature);

}  // namespace sb::twilio

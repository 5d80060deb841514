#pragma once

// The opaque session value the browser passes to Device.connect({params}):
// Twilio forwards it to the TwiML App's voice URL, and the plugin answers
// with the conference of that call. It is signed by the plugin, so the
// browser can neither choose a room nor replay an expired session, and it
// needs no server-side state: any instance (or a restarted one) reads it.

#include <switchboard/sdk/host.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace sb::twilio {

struct DialSession {
  std::string callId;
  std::string conferenceName;
  std::string identity;   ///< the Access Token identity allowed to use it
  int64_t expiresAt = 0;  ///< Unix seconds
};

/// "s1.<base64url(fields)>.<base64url(HMAC-SHA256)>"; `key` is a secret of
/// the plugin (derived from the auth token, see TwilioConfig).
std::string sealSession(const sdk::Crypto& crypto, const std::string& key, const DialSession& session);

/// The session, when `value` was sealed with `key` and has not expired at
/// `nowS`; nullopt otherwise, with the reason in `why`.
std::optional<DialSession> openSession(const sdk::Crypto& crypto, const std::string& key, const std::string& value,
                                       int64_t nowS, std::string& why);

}  // namespace sb::twilio

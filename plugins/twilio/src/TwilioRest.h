#pragma once

// The Twilio REST requests the plugin sends (API 2010-04-01, reference
// section 1), as data: built and checked without a network, sent through
// the host's http service by the provider. Parameter names, encodings and
// paths follow the official OpenAPI description (tests validate every
// request against it).

#include <switchboard/sdk/encoding.hpp>
#include <switchboard/sdk/http.hpp>
#include <switchboard/sdk/status.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sb::twilio {

struct RestRequest {
  std::string method;              ///< GET or POST
  std::string path;                ///< /2010-04-01/Accounts/AC.../Calls.json
  sdk::encoding::FormFields form;  ///< the x-www-form-urlencoded body (POST)
  std::string query;               ///< GET filters, already encoded
};

/// Dials the contact's leg: Twilio fetches `twimlUrl` when the contact
/// answers (it joins the conference there) and posts call progress
/// (ringing, answered, completed) to `statusCallback`.
RestRequest createCall(const std::string& accountSid, const std::string& to, const std::string& from,
                       const std::string& twimlUrl, const std::string& statusCallback, int64_t ringTimeoutS);

/// Hangs up one call in any live state (Status=completed).
RestRequest hangUpCall(const std::string& accountSid, const std::string& callSid);

RestRequest fetchCall(const std::string& accountSid, const std::string& callSid);

/// Ends a conference, dropping everyone in it (Status=completed).
RestRequest endConference(const std::string& accountSid, const std::string& conferenceSid);

/// Conferences with this friendly name, any status (to learn a conference's
/// SID before its first callback arrived).
RestRequest findConference(const std::string& accountSid, const std::string& friendlyName);

/// Mutes/unmutes or holds/resumes one participant. `participant` is a call
/// SID or a participant label.
RestRequest updateParticipant(const std::string& accountSid, const std::string& conferenceSid,
                              const std::string& participant, std::optional<bool> muted, std::optional<bool> hold);

/// Twilio's error JSON ({"code","message","more_info","status"}) as an SDK
/// status: 429 is RateLimited with its retry hint, 401/403 auth errors,
/// 21211/21214/21217 an invalid phone number, 404 and 20404 not found,
/// 5xx unavailable, other 4xx rejected. The message names Twilio's code.
sdk::ProviderError errorFromResponse(int status, const std::string& body, std::optional<int64_t> retryAfterS);

}  // namespace sb::twilio

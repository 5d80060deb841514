#pragma once

// The Telnyx Call Control v2 requests the plugin sends (reference §2-3,
// §6.1), as data: built and checked without a network, sent through the
// host's http service by the provider. Every command carries a command_id,
// so that a retried command is never carried out twice. Bodies and paths
// follow the official OpenAPI description (tests validate every request).

#include <switchboard/sdk/status.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sb::telnyx {

struct RestRequest {
  std::string method;   ///< GET or POST
  std::string path;     ///< relative to the base URL (https://api.telnyx.com/v2)
  nlohmann::json body;  ///< JSON body; null for none
};

/// Dials a leg (the contact's number, or the agent's sip:gencred... URI).
RestRequest dial(const std::string& connectionId, const std::string& to, const std::string& from,
                 const std::string& clientState, const std::string& commandId, int64_t timeoutS,
                 const std::string& webhookUrl);

RestRequest hangup(const std::string& callControlId, const std::string& commandId);
/// Answers a parked leg (the browser's call), keeping its client_state.
RestRequest answer(const std::string& callControlId, const std::string& clientState, const std::string& commandId);
RestRequest fetchCall(const std::string& callControlId);

/// Creates the bridge from an answered leg (never before: 90034).
RestRequest createConference(const std::string& callControlId, const std::string& name, const std::string& commandId);
/// Joins an answered leg to the conference (id or name); with
/// `endConferenceOnExit` its leaving ends the conference.
RestRequest joinConference(const std::string& conference, const std::string& callControlId,
                           const std::string& commandId, const std::string& clientState, bool endConferenceOnExit);
RestRequest muteParticipant(const std::string& conference, const std::string& callControlId, bool muted);
RestRequest holdParticipant(const std::string& conference, const std::string& callControlId, bool held);
RestRequest endConference(const std::string& conference, const std::string& commandId);
/// Who is in the conference, with mute and hold: Telnyx sends no webhook for
/// either, so this is how the plugin learns what a command whose answers were
/// lost did.
RestRequest listParticipants(const std::string& conferenceId);

/// A short-lived JWT for the browser (text/plain answer), minted from the
/// agent's telephony credential: never the SIP password.
RestRequest mintLoginToken(const std::string& credentialId);

/// Telnyx's {"errors":[{code,title,detail}]} as an SDK status: 429 (10011,
/// 90103) RateLimited with its reset hint, 401 Unauthenticated, 403
/// PermissionDenied (10010 "D38": no outbound voice profile), 10016 an
/// invalid phone, 90018/90019 (already ended) and 404s NotFound, 5xx
/// Unavailable, other 4xx rejected. The message names Telnyx's code.
sdk::ProviderError errorFromResponse(int status, const std::string& body, std::optional<int64_t> retryAfterS);

/// The first error code of a response body ("90018"), or "".
std::string errorCode(const std::string& body);

}  // namespace sb::telnyx

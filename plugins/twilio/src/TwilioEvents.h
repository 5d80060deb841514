#pragma once

// Twilio's status callbacks as canonical call events (reference section 3).
// The host learns which call and leg a callback is about from the query of
// the callback URL the plugin gave Twilio (?call_id=...&leg=...), so that an
// event resolves even before the provider's ids are on record.

#include <switchboard/sdk/encoding.hpp>
#include <switchboard/sdk/model.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::twilio {

/// Parses Twilio's RFC 2822 timestamps ("Sun, 25 Mar 2018 09:53:19 +0000",
/// one- or two-digit day) into Unix milliseconds.
std::optional<int64_t> parseRfc2822(std::string_view text);

/// A call-progress callback (CallbackSource=call-progress-events) of the
/// leg `leg` of call `callId`: ringing, answered (in-progress) or ended.
std::vector<sdk::CallEvent> callProgressEvents(const sdk::encoding::FormFields& params, const std::string& callId,
                                               const std::string& leg, int64_t receivedAtMs);

/// A conference status callback: conference start and end, and the agent's
/// or the contact's join, leave, mute and hold (told apart by
/// ParticipantLabel).
std::vector<sdk::CallEvent> conferenceEvents(const sdk::encoding::FormFields& params, const std::string& callId,
                                             int64_t receivedAtMs);

}  // namespace sb::twilio

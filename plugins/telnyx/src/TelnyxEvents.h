#pragma once

// Telnyx Call Control v2 webhooks as canonical call events (reference §4).
// Which call and leg an event is about rides in client_state, which the
// plugin sets on every leg it dials: base64 of {"c":<call id>,"l":<leg>}.

#include <switchboard/sdk/model.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::telnyx {

struct ClientState {
  std::string callId;
  std::string leg;  ///< sdk::leg::kContact or sdk::leg::kAgent
};

/// Single-line base64 (Telnyx cuts client_state at a newline).
std::string encodeClientState(const ClientState& state);
/// nullopt for null, empty, foreign or malformed state.
std::optional<ClientState> decodeClientState(const nlohmann::json& value);

/// "2018-02-02T22:25:27.521992Z" (fraction optional, Z or ±hh:mm) to Unix ms.
std::optional<int64_t> parseIso8601(std::string_view text);

/// call.hangup's hangup_cause as the canonical end cause
/// (completed|busy|no-answer|failed|canceled).
std::string causeFromHangup(std::string_view hangupCause);

/// The events of one webhook body (the v2 envelope). Events the host does
/// not track give none; a body that is not a v2 envelope throws
/// sdk::ProviderError(InvalidArgument).
std::vector<sdk::CallEvent> webhookEvents(const nlohmann::json& envelope, int64_t receivedAtMs);

}  // namespace sb::telnyx

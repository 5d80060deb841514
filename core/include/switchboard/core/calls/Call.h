#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::core {

/// Call states (product.md section 3): initiated -> ringing -> in-progress ->
/// one final state. Final states never change.
namespace call_status {
inline constexpr const char* kInitiated = "initiated";
inline constexpr const char* kRinging = "ringing";
inline constexpr const char* kInProgress = "in-progress";
inline constexpr const char* kCompleted = "completed";
inline constexpr const char* kBusy = "busy";
inline constexpr const char* kNoAnswer = "no-answer";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kCanceled = "canceled";
bool isFinal(const std::string& status);
/// 0 initiated, 1 ringing, 2 in-progress, 3 final; -1 unknown.
int rank(const std::string& status);
/// A provider's end cause as a final state (unknown causes are "failed").
std::string finalFromCause(const std::string& cause);
}  // namespace call_status

/// A final call's result: the final status's name, or these.
namespace call_result {
inline constexpr const char* kAnswered = "answered";
/// The contact answered and no agent joined within calls.agent_join_timeout_s.
inline constexpr const char* kAbandoned = "abandoned";
}  // namespace call_result

/// The agent's browser leg.
namespace agent_state {
inline constexpr const char* kNone = "none";
inline constexpr const char* kConnecting = "connecting";
inline constexpr const char* kConnected = "connected";
inline constexpr const char* kDisconnected = "disconnected";
}  // namespace agent_state

/// One dial attempt with its legs, as the host keeps it.
struct CallRecord {
  std::string id;
  std::optional<int64_t> contactId;
  /// The contact as it was when the call was placed: history names people
  /// even after the list is edited or deleted.
  std::string contactName;
  std::string contactCompany;
  std::string agentId;
  /// False when an admin key placed the call for no one in particular (the
  /// admin board, serving several reps through one key): `agentId` is then
  /// the key, and the one-active-call-per-agent rule does not apply.
  bool agentNamed = true;
  std::string provider;
  std::string topology = "bridge";
  std::string toE164;
  std::string fromE164;
  std::string conferenceName;
  std::string conferenceId;
  std::string providerCallId;
  std::string agentLegId;
  std::string sessionId;
  std::string status = call_status::kInitiated;
  std::string conferenceState = "init";  ///< init | in-progress | completed
  std::string agentState = agent_state::kNone;
  bool contactMuted = false;
  bool contactHeld = false;
  bool agentMuted = false;
  bool agentHeld = false;
  std::string endCause;
  std::optional<int64_t> contactDurationS;
  std::optional<int64_t> talkSeconds;
  std::string result;  ///< answered | abandoned | busy | no-answer | failed | canceled, once final
  std::optional<std::string> outcome;
  std::string notes;
  int64_t createdAt = 0;  ///< Unix ms, like every *At below
  std::optional<int64_t> ringingAt;
  std::optional<int64_t> answeredAt;
  std::optional<int64_t> conferenceStartedAt;
  std::optional<int64_t> agentJoinedAt;
  std::optional<int64_t> endedAt;
  nlohmann::json clocks = nlohmann::json::object();
  std::optional<int64_t> outcomeAt;
  std::string outcomeBy;
  /// 1 when placed, +1 with every saved change: a client that gets the call
  /// from several places (an answer, a poll, the event stream) keeps the
  /// highest and drops an older snapshot that arrives late.
  int64_t version = 1;

  bool ended() const { return endedAt.has_value(); }
  /// The one id every surface (join, status, control, timeline, events) names
  /// a leg's participant by, whatever the provider: the contact is the
  /// provider's call id (/initiate's call_sid); the agent is the session id
  /// that joining returns (`sess_...`), fixed when the call is placed, so it
  /// is known before the provider reports the browser leg. Empty while the
  /// leg has none; provider leg ids stay accepted as aliases.
  std::string participantId(const std::string& leg) const;
  /// The API's view (ISO 8601 times, no internal clocks).
  nlohmann::json toJson() const;
};

/// One entry of a call's timeline.
struct StoredEvent {
  int64_t seq = 0;
  std::string callId;
  std::string source;  ///< the provider id, or "host" for the host's own events
  std::string eventKey;
  std::string type;
  std::string leg;
  int64_t occurredAt = 0;
  int64_t receivedAt = 0;
  nlohmann::json payload;

  nlohmann::json toJson() const;
  /// With the participant the event's leg names in `call` (participant_id).
  nlohmann::json toJson(const CallRecord& call) const;
};

struct CallQuery {
  std::optional<int64_t> contactId;
  /// The contact as it was when the call was placed: history names people
  /// even after the list is edited or deleted.
  std::string contactName;
  std::string contactCompany;
  std::string agentId;
  std::string outcome;
  std::string result;
  std::string status;
  std::optional<int64_t> fromMs;
  std::optional<int64_t> toMs;
  std::string notesSearch;
  std::string contactSearch;  ///< part of the contact's name, company or number
  int64_t page = 1;
  int64_t perPage = 50;
};

struct CallPage {
  std::vector<CallRecord> items;
  int64_t total = 0;
};

struct CallStatsQuery {
  std::optional<int64_t> fromMs;
  std::optional<int64_t> toMs;
  std::string agentId;
};

}  // namespace sb::core

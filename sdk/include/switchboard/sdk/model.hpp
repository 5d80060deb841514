// The canonical model that crosses the ABI as JSON: one typed struct per
// operation request and result, the canonical call event, and the
// capabilities document. Field names are the JSON names of the schemas in
// sdk/schema/; each struct has toJson/fromJson so that both sides of the ABI
// read and write the same documents.
#pragma once

#include <switchboard/sdk/detail/json_fields.hpp>
#include <switchboard/sdk/http.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sb::sdk {

/// Operation names of SDK 1.0 (the `operation` argument of invoke).
namespace op {
inline constexpr const char* kCallStart = "call.start";
inline constexpr const char* kCallEnd = "call.end";
inline constexpr const char* kCallStatus = "call.status";
inline constexpr const char* kParticipantUpdate = "participant.update";
inline constexpr const char* kClientCredentialIssue = "client_credential.issue";
}  // namespace op

/// Leg roles in a bridge: the PSTN contact and the agent's browser.
namespace leg {
inline constexpr const char* kContact = "contact";
inline constexpr const char* kAgent = "agent";
}  // namespace leg

/// Canonical event types (product.md section 3).
namespace event {
inline constexpr const char* kLegInitiated = "leg.initiated";
inline constexpr const char* kLegRinging = "leg.ringing";
inline constexpr const char* kLegAnswered = "leg.answered";
inline constexpr const char* kLegEnded = "leg.ended";
inline constexpr const char* kAgentJoined = "agent.joined";
inline constexpr const char* kAgentLeft = "agent.left";
inline constexpr const char* kParticipantMuted = "participant.muted";
inline constexpr const char* kParticipantHeld = "participant.held";
inline constexpr const char* kConferenceStarted = "conference.started";
inline constexpr const char* kConferenceEnded = "conference.ended";
}  // namespace event

/// The schema's enums as C++ types (sdk/schema/call_event.schema.json,
/// call.status.result.schema.json), for the typed builders below: a typo'd
/// event type or cause does not compile, where a string would reach the host
/// and be refused there. name() gives the schema's spelling.
enum class EventType {
  LegInitiated,
  LegRinging,
  LegAnswered,
  LegEnded,
  AgentJoined,
  AgentLeft,
  ParticipantMuted,
  ParticipantHeld,
  ConferenceStarted,
  ConferenceEnded
};
enum class Leg { Contact, Agent };
/// Why a leg ended (leg.ended's `cause`).
enum class EndCause { Completed, Busy, NoAnswer, Failed, Canceled };
/// A contact leg's state as the provider reports it (call.status).
enum class ContactState { Initiated, Ringing, InProgress, Completed, Busy, NoAnswer, Failed, Canceled };
/// The agent's browser leg's state (call.status).
enum class AgentState { Connecting, Connected, Disconnected };

constexpr const char* name(EventType type) {
  switch (type) {
    case EventType::LegInitiated: return event::kLegInitiated;
    case EventType::LegRinging: return event::kLegRinging;
    case EventType::LegAnswered: return event::kLegAnswered;
    case EventType::LegEnded: return event::kLegEnded;
    case EventType::AgentJoined: return event::kAgentJoined;
    case EventType::AgentLeft: return event::kAgentLeft;
    case EventType::ParticipantMuted: return event::kParticipantMuted;
    case EventType::ParticipantHeld: return event::kParticipantHeld;
    case EventType::ConferenceStarted: return event::kConferenceStarted;
    case EventType::ConferenceEnded: return event::kConferenceEnded;
  }
  return "";
}
constexpr const char* name(Leg value) {
  return value == Leg::Contact ? leg::kContact : leg::kAgent;
}
constexpr const char* name(EndCause cause) {
  switch (cause) {
    case EndCause::Completed: return "completed";
    case EndCause::Busy: return "busy";
    case EndCause::NoAnswer: return "no-answer";
    case EndCause::Failed: return "failed";
    case EndCause::Canceled: return "canceled";
  }
  return "";
}
constexpr const char* name(ContactState state) {
  switch (state) {
    case ContactState::Initiated: return "initiated";
    case ContactState::Ringing: return "ringing";
    case ContactState::InProgress: return "in-progress";
    case ContactState::Completed: return "completed";
    case ContactState::Busy: return "busy";
    case ContactState::NoAnswer: return "no-answer";
    case ContactState::Failed: return "failed";
    case ContactState::Canceled: return "canceled";
  }
  return "";
}
constexpr const char* name(AgentState state) {
  switch (state) {
    case AgentState::Connecting: return "connecting";
    case AgentState::Connected: return "connected";
    case AgentState::Disconnected: return "disconnected";
  }
  return "";
}

/// call.start: dial the contact's leg into a new bridge.
struct StartCallRequest {
  std::string callId;          ///< the host's call id; echo it in webhooks
  std::string agentId;         ///< who will join from the browser
  std::string to;              ///< E.164
  std::string from;            ///< E.164 caller ID chosen by the host
  std::string conferenceName;  ///< friendly name chosen by the host
  int64_t ringTimeoutS = 30;

  static StartCallRequest fromJson(const nlohmann::json& j) {
    StartCallRequest r;
    r.callId = detail::requiredString(j, "call_id");
    r.agentId = detail::optionalString(j, "agent_id");
    r.to = detail::requiredString(j, "to");
    r.from = detail::optionalString(j, "from");
    r.conferenceName = detail::requiredString(j, "conference_name");
    r.ringTimeoutS = detail::optionalInt(j, "ring_timeout_s").value_or(30);
    return r;
  }
  nlohmann::json toJson() const {
    nlohmann::json j = {
        {"call_id", callId}, {"to", to}, {"conference_name", conferenceName}, {"ring_timeout_s", ringTimeoutS}};
    detail::putIfSet(j, "agent_id", agentId);
    detail::putIfSet(j, "from", from);
    return j;
  }
};

struct StartCallResult {
  std::string providerCallId;  ///< the provider's id of the contact leg
  std::string conferenceId;    ///< the provider's conference id, if known yet
  std::string status = "initiated";

  static StartCallResult fromJson(const nlohmann::json& j) {
    StartCallResult r;
    r.providerCallId = detail::requiredString(j, "provider_call_id");
    r.conferenceId = detail::optionalString(j, "conference_id");
    r.status = detail::requiredString(j, "status");
    return r;
  }
  nlohmann::json toJson() const {
    nlohmann::json j = {{"provider_call_id", providerCallId}, {"status", status}};
    detail::putIfSet(j, "conference_id", conferenceId);
    return j;
  }
};

/// The identifiers a host knows about a call; every later operation gets them.
struct CallRef {
  std::string callId;
  std::string conferenceName;
  std::string conferenceId;
  std::string providerCallId;  ///< contact leg
  std::string agentLegId;      ///< agent leg, once known

  static CallRef fromJson(const nlohmann::json& j) {
    CallRef r;
    r.callId = detail::requiredString(j, "call_id");
    r.conferenceName = detail::optionalString(j, "conference_name");
    r.conferenceId = detail::optionalString(j, "conference_id");
    r.providerCallId = detail::optionalString(j, "provider_call_id");
    r.agentLegId = detail::optionalString(j, "agent_leg_id");
    return r;
  }
  void writeTo(nlohmann::json& j) const {
    j["call_id"] = callId;
    detail::putIfSet(j, "conference_name", conferenceName);
    detail::putIfSet(j, "conference_id", conferenceId);
    detail::putIfSet(j, "provider_call_id", providerCallId);
    detail::putIfSet(j, "agent_leg_id", agentLegId);
  }
  nlohmann::json toJson() const {
    nlohmann::json j = nlohmann::json::object();
    writeTo(j);
    return j;
  }
};

/// call.end: end the bridge and every leg in it. Ending an ended call is a
/// success with alreadyEnded = true.
using EndCallRequest = CallRef;

struct EndCallResult {
  bool ended = true;
  bool alreadyEnded = false;

  static EndCallResult fromJson(const nlohmann::json& j) {
    EndCallResult r;
    r.ended = detail::optionalBool(j, "ended").value_or(false);
    r.alreadyEnded = detail::optionalBool(j, "already_ended").value_or(false);
    return r;
  }
  nlohmann::json toJson() const { return {{"ended", ended}, {"already_ended", alreadyEnded}}; }
};

/// participant.update: mute/unmute or hold/resume one leg.
struct ParticipantUpdateRequest {
  CallRef call;
  std::string leg;  ///< leg::kContact or leg::kAgent
  std::optional<bool> muted;
  std::optional<bool> held;

  static ParticipantUpdateRequest fromJson(const nlohmann::json& j) {
    ParticipantUpdateRequest r;
    r.call = CallRef::fromJson(j);
    r.leg = detail::requiredString(j, "leg");
    if (r.leg != leg::kContact && r.leg != leg::kAgent) {
      throw ProviderError(Status::InvalidArgument, "field 'leg' must be 'contact' or 'agent'");
    }
    r.muted = detail::optionalBool(j, "muted");
    r.held = detail::optionalBool(j, "held");
    if (!r.muted && !r.held) {
      throw ProviderError(Status::InvalidArgument, "participant.update needs 'muted' or 'held'");
    }
    return r;
  }
  nlohmann::json toJson() const {
    nlohmann::json j = call.toJson();
    j["leg"] = leg;
    detail::putIfSet(j, "muted", muted);
    detail::putIfSet(j, "held", held);
    return j;
  }
};

/// The state of one leg as the provider sees it.
struct LegSnapshot {
  std::string leg;  ///< leg::kContact or leg::kAgent
  std::string providerLegId;
  std::string state;  ///< contact: initiated|ringing|in-progress|completed|busy|no-answer|failed|canceled;
                      ///< agent: connecting|connected|disconnected
  bool muted = false;
  bool held = false;

  /// Typed builders: the contact's leg or the agent's, in a schema state.
  static LegSnapshot contact(ContactState legState, std::string id = {}) {
    LegSnapshot r;
    r.leg = leg::kContact;
    r.providerLegId = std::move(id);
    r.state = name(legState);
    return r;
  }
  static LegSnapshot agent(AgentState legState, std::string id = {}) {
    LegSnapshot r;
    r.leg = leg::kAgent;
    r.providerLegId = std::move(id);
    r.state = name(legState);
    return r;
  }

  static LegSnapshot fromJson(const nlohmann::json& j) {
    LegSnapshot r;
    r.leg = detail::requiredString(j, "leg");
    r.providerLegId = detail::optionalString(j, "provider_leg_id");
    r.state = detail::requiredString(j, "state");
    r.muted = detail::optionalBool(j, "muted").value_or(false);
    r.held = detail::optionalBool(j, "held").value_or(false);
    return r;
  }
  nlohmann::json toJson() const {
    nlohmann::json j = {{"leg", leg}, {"state", state}, {"muted", muted}, {"held", held}};
    detail::putIfSet(j, "provider_leg_id", providerLegId);
    return j;
  }
};

using ParticipantUpdateResult = LegSnapshot;

/// client_credential.issue: a short-lived credential for the browser SDK.
struct ClientCredentialRequest {
  std::string callId;
  std::string agentId;         ///< identity of the browser client
  std::string sessionId;       ///< opaque id the browser passes when it connects
  std::string conferenceName;  ///< the call's bridge; empty when the host sends none
  std::string from;            ///< the caller ID the call was placed from (E.164); empty when the host sends none
  int64_t ttlS = 3600;

  static ClientCredentialRequest fromJson(const nlohmann::json& j) {
    ClientCredentialRequest r;
    r.callId = detail::optionalString(j, "call_id");
    r.conferenceName = detail::optionalString(j, "conference_name");
    r.from = detail::optionalString(j, "from");
    r.agentId = detail::requiredString(j, "agent_id");
    r.sessionId = detail::optionalString(j, "session_id");
    r.ttlS = detail::optionalInt(j, "ttl_s").value_or(3600);
    if (r.ttlS <= 0) {
      throw ProviderError(Status::InvalidArgument, "field 'ttl_s' must be positive");
    }
    return r;
  }
  nlohmann::json toJson() const {
    nlohmann::json j = {{"agent_id", agentId}, {"ttl_s", ttlS}};
    detail::putIfSet(j, "call_id", callId);
    detail::putIfSet(j, "session_id", sessionId);
    detail::putIfSet(j, "conference_name", conferenceName);
    detail::putIfSet(j, "from", from);
    return j;
  }
};

struct ClientCredential {
  std::string kind;  ///< e.g. "twilio.access_token", "telnyx.login_token", "sim"
  std::string token;
  std::string identity;
  int64_t expiresAt = 0;                          ///< Unix seconds
  nlohmann::json sdk = nlohmann::json::object();  ///< extra settings for the page's adapter

  static ClientCredential fromJson(const nlohmann::json& j) {
    ClientCredential r;
    r.kind = detail::requiredString(j, "kind");
    r.token = detail::requiredString(j, "token");
    r.identity = detail::requiredString(j, "identity");
    r.expiresAt = detail::optionalInt(j, "expires_at").value_or(0);
    if (auto it = j.find("sdk"); it != j.end() && it->is_object()) {
      r.sdk = *it;
    }
    return r;
  }
  nlohmann::json toJson() const {
    return {{"kind", kind}, {"token", token}, {"identity", identity}, {"expires_at", expiresAt}, {"sdk", sdk}};
  }
};

/// call.status: the provider's view of a call.
using CallStatusRequest = CallRef;

struct CallStatus {
  std::string status;  ///< initiated|ringing|in-progress|completed|busy|no-answer|failed|canceled
  std::string conferenceId;
  std::vector<LegSnapshot> legs;

  static CallStatus fromJson(const nlohmann::json& j) {
    CallStatus r;
    r.status = detail::requiredString(j, "status");
    r.conferenceId = detail::optionalString(j, "conference_id");
    if (auto it = j.find("legs"); it != j.end() && it->is_array()) {
      for (const auto& leg : *it) {
        r.legs.push_back(LegSnapshot::fromJson(leg));
      }
    }
    return r;
  }
  nlohmann::json toJson() const {
    nlohmann::json j = {{"status", status}, {"legs", nlohmann::json::array()}};
    detail::putIfSet(j, "conference_id", conferenceId);
    for (const auto& leg : legs) {
      j["legs"].push_back(leg.toJson());
    }
    return j;
  }
};

/// A canonical call event, produced by on_webhook. `eventKey` must be unique
/// per provider event and identical when the provider redelivers it: the
/// host stores events idempotently by it.
struct CallEvent {
  std::string eventKey;
  std::string type;    ///< one of the event::k* names
  std::string callId;  ///< the host's call id, when the provider echoed it
  std::string leg;     ///< leg::kContact / leg::kAgent, for leg and participant events
  std::string providerCallId;
  std::string conferenceId;
  int64_t occurredAtMs = 0;         ///< provider's timestamp, Unix ms
  std::optional<int64_t> sequence;  ///< provider ordering hint, when it has one
  std::string cause;                ///< leg.ended: completed|busy|no-answer|failed|canceled
  std::optional<bool> muted;
  std::optional<bool> held;
  std::optional<int64_t> durationS;

  /// A typed start: `CallEvent::of(EventType::LegEnded, key, at).on(Leg::Contact).endedBy(EndCause::Busy)`.
  static CallEvent of(EventType eventType, std::string key, int64_t atMs) {
    CallEvent r;
    r.type = name(eventType);
    r.eventKey = std::move(key);
    r.occurredAtMs = atMs;
    return r;
  }
  CallEvent& on(Leg value) {
    leg = name(value);
    return *this;
  }
  CallEvent& endedBy(EndCause value) {
    cause = name(value);
    return *this;
  }

  static CallEvent fromJson(const nlohmann::json& j) {
    CallEvent r;
    r.eventKey = detail::requiredString(j, "event_key");
    r.type = detail::requiredString(j, "type");
    r.callId = detail::optionalString(j, "call_id");
    r.leg = detail::optionalString(j, "leg");
    r.providerCallId = detail::optionalString(j, "provider_call_id");
    r.conferenceId = detail::optionalString(j, "conference_id");
    r.occurredAtMs = detail::optionalInt(j, "occurred_at_ms").value_or(0);
    r.sequence = detail::optionalInt(j, "sequence");
    r.cause = detail::optionalString(j, "cause");
    r.muted = detail::optionalBool(j, "muted");
    r.held = detail::optionalBool(j, "held");
    r.durationS = detail::optionalInt(j, "duration_s");
    return r;
  }
  nlohmann::json toJson() const {
    nlohmann::json j = {{"event_key", eventKey}, {"type", type}, {"occurred_at_ms", occurredAtMs}};
    detail::putIfSet(j, "call_id", callId);
    detail::putIfSet(j, "leg", leg);
    detail::putIfSet(j, "provider_call_id", providerCallId);
    detail::putIfSet(j, "conference_id", conferenceId);
    detail::putIfSet(j, "sequence", sequence);
    detail::putIfSet(j, "cause", cause);
    detail::putIfSet(j, "muted", muted);
    detail::putIfSet(j, "held", held);
    detail::putIfSet(j, "duration_s", durationS);
    return j;
  }
};

/// What on_webhook produces: canonical events and the reply for the provider.
struct WebhookResult {
  std::vector<CallEvent> events;
  HttpResponse reply;
};

}  // namespace sb::sdk

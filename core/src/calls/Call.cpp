#include <switchboard/core/calls/Call.h>

#include <switchboard/core/text/Time.h>

namespace sb::core {
namespace call_status {

bool isFinal(const std::string& status) {
  return status == kCompleted || status == kBusy || status == kNoAnswer || status == kFailed || status == kCanceled;
}

int rank(const std::string& status) {
  if (status == kInitiated) return 0;
  if (status == kRinging) return 1;
  if (status == kInProgress) return 2;
  if (isFinal(status)) return 3;
  return -1;
}

std::string finalFromCause(const std::string& cause) {
  if (isFinal(cause)) return cause;
  if (cause.empty()) return kCompleted;
  return kFailed;
}

}  // namespace call_status

namespace {

nlohmann::json isoOrNull(const std::optional<int64_t>& ms) {
  return ms ? nlohmann::json(formatUtc(*ms / 1000)) : nlohmann::json(nullptr);
}

nlohmann::json orNull(const std::string& value) {
  return value.empty() ? nlohmann::json(nullptr) : nlohmann::json(value);
}

}  // namespace

nlohmann::json CallRecord::toJson() const {
  return {
      {"id", id},
      {"contact_id", contactId ? nlohmann::json(*contactId) : nlohmann::json(nullptr)},
      {"contact_name", orNull(contactName)},
      {"contact_company", orNull(contactCompany)},
      {"agent_id", agentId},
      {"agent_named", agentNamed},
      {"provider", provider},
      {"topology", topology},
      {"to", toE164},
      {"from", fromE164},
      {"conference_name", conferenceName},
      {"conference_id", orNull(conferenceId)},
      {"provider_call_id", orNull(providerCallId)},
      {"status", status},
      {"conference_state", conferenceState},
      {"legs",
       {{"contact",
         {{"participant_id", orNull(participantId("contact"))},
          {"provider_leg_id", orNull(providerCallId)},
          {"state", status},
          {"muted", contactMuted},
          {"held", contactHeld}}},
        {"agent",
         {{"participant_id", orNull(participantId("agent"))},
          {"provider_leg_id", orNull(agentLegId)},
          {"state", agentState},
          {"muted", agentMuted},
          {"held", agentHeld}}}}},
      {"end_cause", orNull(endCause)},
      {"result", orNull(result)},
      {"talk_seconds", talkSeconds ? nlohmann::json(*talkSeconds) : nlohmann::json(nullptr)},
      {"outcome", outcome ? nlohmann::json(*outcome) : nlohmann::json(nullptr)},
      {"notes", notes},
      {"created_at", formatUtc(createdAt / 1000)},
      {"ringing_at", isoOrNull(ringingAt)},
      {"answered_at", isoOrNull(answeredAt)},
      {"agent_joined_at", isoOrNull(agentJoinedAt)},
      {"ended_at", isoOrNull(endedAt)},
      {"outcome_at", isoOrNull(outcomeAt)},
      {"outcome_by", orNull(outcomeBy)},
      {"version", version},
  };
}

std::string CallRecord::participantId(const std::string& leg) const {
  if (leg == "contact") {
    return providerCallId;
  }
  return leg == "agent" ? sessionId : std::string();
}

nlohmann::json StoredEvent::toJson(const CallRecord& call) const {
  nlohmann::json j = toJson();
  if (!leg.empty()) {
    j["participant_id"] = orNull(call.participantId(leg));
  }
  return j;
}

nlohmann::json StoredEvent::toJson() const {
  nlohmann::json j = {{"seq", seq},
                      {"call_id", callId},
                      {"source", source},
                      {"event_key", eventKey},
                      {"type", type},
                      {"leg", orNull(leg)},
                      {"occurred_at", formatUtc(occurredAt / 1000)},
                      {"occurred_at_ms", occurredAt},
                      {"received_at_ms", receivedAt}};
  // The host's own events say why (a reason, an error, the outcome logged):
  // the page's timeline puts it in words. Nothing else of a payload leaves.
  for (const char* field : {"cause", "muted", "held", "duration_s", "detail", "reason", "error", "outcome"}) {
    if (auto it = payload.find(field); it != payload.end()) {
      j[field] = *it;
    }
  }
  return j;
}

}  // namespace sb::core

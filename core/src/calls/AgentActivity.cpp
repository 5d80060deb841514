#include <switchboard/core/calls/AgentActivity.h>

namespace sb::core {

AgentActivity activityOf(const CallRecord* latest, int64_t nowMs) {
  AgentActivity out;
  if (latest == nullptr) {
    return out;
  }
  const CallRecord& call = *latest;
  if (!call.ended()) {
    out.showsCall = true;
    if (call.status == call_status::kInProgress) {
      out.state = call.contactHeld ? agent_activity::kOnHold : agent_activity::kTalking;
      out.sinceMs = call.answeredAt.value_or(call.createdAt);
    } else if (call.status == call_status::kRinging) {
      out.state = agent_activity::kRinging;
      out.sinceMs = call.ringingAt.value_or(call.createdAt);
    } else {
      out.state = agent_activity::kDialing;
      out.sinceMs = call.createdAt;
    }
    return out;
  }
  out.sinceMs = call.endedAt;
  if (!call.outcome && nowMs - *call.endedAt < agent_activity::kLoggingWindowMs) {
    out.state = agent_activity::kLogging;
    out.showsCall = true;
  }
  return out;
}

}  // namespace sb::core

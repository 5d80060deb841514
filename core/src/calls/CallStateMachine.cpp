#include <switchboard/core/calls/CallStateMachine.h>

#include <tuple>

namespace sb::core {
namespace {

namespace ev = sdk::event;

using OrderKey = std::tuple<int64_t, int64_t, std::string>;

OrderKey orderKeyOf(const sdk::CallEvent& event) {
  return {event.occurredAtMs, event.sequence.value_or(0), event.eventKey};
}

/// True (and the clock advanced) when `event` is newer than whatever last set
/// `attribute`.
bool newerFor(CallRecord& call, const std::string& attribute, const sdk::CallEvent& event) {
  const OrderKey key = orderKeyOf(event);
  if (auto it = call.clocks.find(attribute); it != call.clocks.end() && it->is_array() && it->size() == 3) {
    const OrderKey seen{(*it)[0].get<int64_t>(), (*it)[1].get<int64_t>(), (*it)[2].get<std::string>()};
    if (!(seen < key)) {
      return false;
    }
  }
  call.clocks[attribute] = nlohmann::json::array({std::get<0>(key), std::get<1>(key), std::get<2>(key)});
  return true;
}

bool keepEarliest(std::optional<int64_t>& field, int64_t value) {
  if (!field || value < *field) {
    field = value;
    return true;
  }
  return false;
}

bool setToggle(CallRecord& call, const std::string& attribute, bool& field, bool value, const sdk::CallEvent& event) {
  if (!newerFor(call, attribute, event)) {
    return false;
  }
  field = value;
  return true;  // the clock moved even when the value did not: it must be saved
}

bool moveStatus(CallRecord& call, const std::string& target) {
  if (call_status::isFinal(call.status) || call_status::rank(target) <= call_status::rank(call.status)) {
    return false;
  }
  call.status = target;
  return true;
}

constexpr const char* kEndIntent = "end_intent";  ///< [at ms, cause]: the host decided to end the call
constexpr const char* kHostEnd = "host_end";      ///< the host's end is the call's end

/// The call ends as the host decided at `atMs` (an agent's End, an abandoned
/// contact): completed once answered, else canceled.
void endAsHost(CallRecord& call, int64_t atMs, const std::string& cause) {
  call.status = call.answeredAt ? call_status::kCompleted : call_status::kCanceled;
  call.endCause = cause;
  call.endedAt = atMs;
  call.clocks[kHostEnd] = atMs;
}

/// The end of a call is decided by the best of the events that end it: the
/// contact leg's own end (priority 0) beats the conference's (1), then the
/// earliest wins. The status, once final, stays; the cause and end time are
/// those of the best event, whatever order they came in. When the host had
/// decided to end the call before the provider's end came (the hang-up it
/// asked for, reported before its own write landed), the host's end is the
/// call's.
bool settleEnd(CallRecord& call, int priority, const std::string& status, const std::string& cause,
               const sdk::CallEvent& event) {
  const nlohmann::json key =
      nlohmann::json::array({priority, event.occurredAtMs, event.sequence.value_or(0), event.eventKey});
  if (auto it = call.clocks.find("end"); it != call.clocks.end() && !(key < *it)) {
    return false;
  }
  call.clocks["end"] = key;
  if (call.clocks.contains(kHostEnd)) {
    return true;  // the agent's own end stands; the provider's event is kept on the timeline
  }
  if (const auto intent = call.clocks.find(kEndIntent); intent != call.clocks.end()) {
    endAsHost(call, (*intent)[0].get<int64_t>(), (*intent)[1].get<std::string>());
    return true;
  }
  if (!call_status::isFinal(call.status)) {
    call.status = status;
  }
  call.endCause = cause;
  call.endedAt = event.occurredAtMs;
  return true;
}

bool isContactLeg(const sdk::CallEvent& event) {
  return event.leg.empty() || event.leg == sdk::leg::kContact;
}

}  // namespace

void CallStateMachine::derive(CallRecord& call) {
  if (call_status::isFinal(call.status) && call.clocks.contains(kHostEnd) && call.clocks.contains(kEndIntent)) {
    // Ended as the host decided: an answer reported after that end still
    // makes it a completed call, as it would have been in the other order.
    call.status = call.answeredAt ? call_status::kCompleted : call_status::kCanceled;
  }
  if (call.status == call_status::kFailed && call.clocks.contains(kHostEnd)) {
    // Placing it failed here (the provider's answer was lost, say): the
    // provider's leg may still show up and even be answered before it is
    // hung up, but the call stays what the caller was told, failed.
    call.result = call_status::kFailed;
    call.talkSeconds.reset();
    return;
  }
  if (call.clocks.contains(kAbandonedClock) && call_status::isFinal(call.status)) {
    // The contact answered into a bridge no agent joined: nobody talked.
    call.result = call_result::kAbandoned;
    call.talkSeconds = 0;
    return;
  }
  if (call.answeredAt) {
    if (call.contactDurationS) {
      call.talkSeconds = *call.contactDurationS;
    } else if (call.endedAt && *call.endedAt >= *call.answeredAt) {
      call.talkSeconds = (*call.endedAt - *call.answeredAt) / 1000;
    }
  }
  if (call_status::isFinal(call.status)) {
    if (call.answeredAt) {
      call.result = "answered";
    } else if (call.status == call_status::kCompleted) {
      call.result = call_status::kCanceled;  // ended by us before anyone answered
    } else {
      call.result = call.status;
    }
  }
}

Transition CallStateMachine::apply(CallRecord& call, const sdk::CallEvent& event) {
  Transition t;
  const bool wasFinal = call_status::isFinal(call.status);
  const bool agentWasConnected = call.agentState == agent_state::kConnected;
  const int64_t at = event.occurredAtMs;
  const std::string& type = event.type;

  if (type == ev::kLegRinging && isContactLeg(event)) {
    t.changed |= keepEarliest(call.ringingAt, at);
    t.changed |= moveStatus(call, call_status::kRinging);
  } else if (type == ev::kLegAnswered && isContactLeg(event)) {
    t.changed |= keepEarliest(call.answeredAt, at);
    t.changed |= moveStatus(call, call_status::kInProgress);
  } else if (type == ev::kLegEnded && isContactLeg(event)) {
    if (event.durationS && !call.contactDurationS) {
      call.contactDurationS = event.durationS;
      t.changed = true;
    }
    const std::string status = call_status::finalFromCause(event.cause);
    t.changed |= settleEnd(call, 0, status, event.cause.empty() ? status : event.cause, event);
  } else if (type == ev::kLegAnswered || type == ev::kAgentJoined) {
    // The agent's leg (leg.answered with leg=agent is the same fact).
    t.changed |= keepEarliest(call.agentJoinedAt, at);
    if (!call_status::isFinal(call.status) && call.clocks.erase(kAbandonedClock) > 0) {
      call.clocks.erase(kEndIntent);
      t.changed = true;  // joined after all, while the hang-up had failed: a call like any other
    }
    if (newerFor(call, "agent.state", event)) {
      call.agentState = agent_state::kConnected;
      // The newest browser leg is the agent's: a page that reloads joins
      // with a new leg, and controls must reach that one.
      if (!event.providerCallId.empty() && event.providerCallId != call.agentLegId) {
        call.agentLegId = event.providerCallId;
      }
      call.clocks.erase(CallStateMachine::kAgentGoneClock);  // back in time after all
      t.changed = true;
    }
  } else if (type == CallStateMachine::kAgentConnecting) {
    if (newerFor(call, "agent.state", event)) {
      call.agentState = agent_state::kConnecting;
      t.changed = true;
    }
  } else if (type == ev::kLegEnded || type == ev::kAgentLeft) {
    // The end of a browser leg the agent has since replaced (a reload) is not
    // the agent leaving: it must neither disconnect the agent nor end the call.
    const bool replacedLeg =
        !event.providerCallId.empty() && !call.agentLegId.empty() && event.providerCallId != call.agentLegId;
    if (!replacedLeg && newerFor(call, "agent.state", event)) {
      call.agentState = agent_state::kDisconnected;
      t.changed = true;
    }
  } else if (type == ev::kParticipantMuted && event.muted) {
    const bool agent = event.leg == sdk::leg::kAgent;
    t.changed |= setToggle(call, agent ? "agent.muted" : "contact.muted", agent ? call.agentMuted : call.contactMuted,
                           *event.muted, event);
  } else if (type == ev::kParticipantHeld && event.held) {
    const bool agent = event.leg == sdk::leg::kAgent;
    t.changed |= setToggle(call, agent ? "agent.held" : "contact.held", agent ? call.agentHeld : call.contactHeld,
                           *event.held, event);
  } else if (type == ev::kConferenceStarted) {
    t.changed |= keepEarliest(call.conferenceStartedAt, at);
    if (call.conferenceState == "init") {
      call.conferenceState = "in-progress";
      t.changed = true;
    }
  } else if (type == ev::kConferenceEnded) {
    if (call.conferenceState != "completed") {
      call.conferenceState = "completed";
      t.changed = true;
    }
    // In a bridge the conference starts when the contact answers, so its end
    // ends the call.
    t.changed |= settleEnd(call, 1, call_status::kCompleted, "conference-ended", event);
  }
  if (isContactLeg(event) && !event.providerCallId.empty() && call.providerCallId.empty() &&
      type.rfind("leg.", 0) == 0) {
    // Known from the leg's own events when the answer to placing it was lost.
    call.providerCallId = event.providerCallId;
    t.changed = true;
  }
  if (!event.conferenceId.empty() && call.conferenceId.empty()) {
    call.conferenceId = event.conferenceId;
    t.changed = true;
  }
  if (event.leg == sdk::leg::kAgent && !event.providerCallId.empty() && call.agentLegId.empty()) {
    call.agentLegId = event.providerCallId;
    t.changed = true;
  }
  derive(call);
  t.becameFinal = !wasFinal && call_status::isFinal(call.status);
  t.agentLeftLiveCall =
      agentWasConnected && call.agentState == agent_state::kDisconnected && !call_status::isFinal(call.status);
  return t;
}

std::optional<int64_t> CallStateMachine::agentAwaySince(const CallRecord& call) {
  if (call_status::isFinal(call.status) || !call.answeredAt || !call.agentJoinedAt ||
      call.agentState == agent_state::kConnected) {
    return std::nullopt;
  }
  const auto clock = call.clocks.find("agent.state");
  if (clock == call.clocks.end() || !clock->is_array() || clock->empty() || !(*clock)[0].is_number_integer()) {
    return std::nullopt;
  }
  return (*clock)[0].get<int64_t>();
}

Transition CallStateMachine::markAbandoned(CallRecord& call, int64_t nowMs) {
  Transition t;
  if (call_status::isFinal(call.status) || !call.answeredAt || call.agentJoinedAt ||
      call.clocks.contains(kAbandonedClock)) {
    return t;
  }
  call.clocks[kAbandonedClock] = nowMs;
  markEnding(call, nowMs, "abandoned-no-agent");
  t.changed = true;
  return t;
}

Transition CallStateMachine::markEnding(CallRecord& call, int64_t nowMs, const std::string& cause) {
  Transition t;
  if (call_status::isFinal(call.status) || call.clocks.contains(kEndIntent)) {
    return t;  // the first decision stands
  }
  call.clocks[kEndIntent] = nlohmann::json::array({nowMs, cause});
  t.changed = true;
  return t;
}

Transition CallStateMachine::clearEnding(CallRecord& call) {
  Transition t;
  if (!call_status::isFinal(call.status) && call.clocks.erase(kEndIntent) > 0) {
    t.changed = true;
  }
  return t;
}

Transition CallStateMachine::failPlacing(CallRecord& call, int64_t nowMs, const std::string& cause) {
  Transition t;
  if (call.clocks.contains(kHostEnd)) {
    return t;
  }
  // Even over a final state: the events of a leg whose placing failed here
  // (a lost answer) can end the call first; the caller was told it failed.
  endAsHost(call, call.endedAt.value_or(nowMs), cause);
  call.status = call_status::kFailed;
  derive(call);
  t.changed = true;
  return t;
}

Transition CallStateMachine::endByHost(CallRecord& call, int64_t nowMs, const std::string& cause) {
  Transition t;
  if (call_status::isFinal(call.status)) {
    return t;
  }
  if (const auto intent = call.clocks.find(kEndIntent); intent != call.clocks.end()) {
    endAsHost(call, (*intent)[0].get<int64_t>(), (*intent)[1].get<std::string>());
  } else {
    endAsHost(call, nowMs, cause);
  }
  derive(call);
  t.changed = true;
  return t;
}

}  // namespace sb::core

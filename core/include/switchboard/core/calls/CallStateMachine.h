#pragma once

#include <switchboard/core/calls/Call.h>
#include <switchboard/sdk/model.hpp>

namespace sb::core {

/// What applying one event did.
struct Transition {
  bool changed = false;
  /// The call reached a final state through this event (not through the
  /// host's own end): the service ends the bridge so nobody is left in it.
  bool becameFinal = false;
  /// The agent left a call whose contact is still connected.
  bool agentLeftLiveCall = false;
};

/// Applies canonical events to a call record. Deterministic and order
/// insensitive by construction, because providers deliver webhooks late,
/// twice and out of order:
/// - the call status only moves forward (initiated < ringing < in-progress <
///   final) and a final state never changes;
/// - timestamps keep the earliest occurrence;
/// - toggles (mute, hold, agent presence) keep the value of the event with
///   the greatest order key (occurred_at_ms, sequence, event_key), recorded
///   per attribute in CallRecord::clocks, so a late event loses to a newer one.
/// The same set of events therefore gives the same record in any order.
class CallStateMachine {
 public:
  /// The host's own event when it issues the agent a browser credential.
  static constexpr const char* kAgentConnecting = "agent.connecting";

  static Transition apply(CallRecord& call, const sdk::CallEvent& event);

  /// The host ends the call itself (POST /end, or the agent left) at `nowMs`.
  static Transition endByHost(CallRecord& call, int64_t nowMs, const std::string& cause);

  /// The host is hanging up a contact who answered into a bridge no agent
  /// joined (calls.agent_join_timeout_s). Recorded before the hang-up: once
  /// the call is final, by whichever end comes first, its result is
  /// `abandoned` with no talk time and the cause `abandoned-no-agent`. No
  /// change unless the call is live, answered and never joined.
  static Transition markAbandoned(CallRecord& call, int64_t nowMs);
  /// The clock (CallRecord::clocks) that marks such a call.
  static constexpr const char* kAbandonedClock = "abandoned";

  /// Fields derived from the others (result, talk time); apply() calls it.
  static void derive(CallRecord& call);
};

}  // namespace sb::core

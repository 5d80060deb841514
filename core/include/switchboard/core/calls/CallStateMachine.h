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

  /// Placing the call failed here (the provider refused, or its answer was
  /// lost): final `failed` with `cause`, no talk time, whatever the
  /// provider's leg did before (its end may be committed first) or does
  /// afterwards. The one exception to "final states never change": the
  /// caller was told the call failed, and the record says so.
  static Transition failPlacing(CallRecord& call, int64_t nowMs, const std::string& cause);

  /// The host ends the call itself (POST /end, or the agent left) at `nowMs`,
  /// or at the time and with the cause of its earlier markEnding().
  static Transition endByHost(CallRecord& call, int64_t nowMs, const std::string& cause);

  /// The host has decided to end a live call (the agent pressed End) and is
  /// about to ask the provider: recorded first, so that the provider's end
  /// event, which can be committed before the host's own write, still ends
  /// the call as the host decided (its time and `cause`). The first decision
  /// stands.
  static Transition markEnding(CallRecord& call, int64_t nowMs, const std::string& cause);
  /// The provider refused the end: the call goes on as if never marked.
  static Transition clearEnding(CallRecord& call);

  /// The host is hanging up a contact who answered into a bridge no agent
  /// joined (calls.agent_join_timeout_s). Recorded before the hang-up: once
  /// the call is final, by whichever end comes first, its result is
  /// `abandoned` with no talk time and the cause `abandoned-no-agent`. No
  /// change unless the call is live, answered and never joined.
  static Transition markAbandoned(CallRecord& call, int64_t nowMs);
  /// The clock (CallRecord::clocks) that marks such a call.
  static constexpr const char* kAbandonedClock = "abandoned";

  /// Since when a live, answered call's agent, who had joined, has not been
  /// connected (the time of the newest agent-state event); none when the
  /// agent is connected, never joined, or the call is over.
  static std::optional<int64_t> agentAwaySince(const CallRecord& call);
  /// The clock that records when the host gave up waiting for such an agent.
  static constexpr const char* kAgentGoneClock = "agent_gone";

  /// Fields derived from the others (result, talk time); apply() calls it.
  static void derive(CallRecord& call);
};

}  // namespace sb::core

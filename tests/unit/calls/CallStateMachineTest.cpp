// The call state machine: forward-only status, final states, and the
// property that any order and any duplication of a call's events gives the
// same record.
#include "unit/calls/CallEventScripts.h"

#include <switchboard/core/calls/CallStateMachine.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

using sb::core::CallRecord;
using sb::core::CallStateMachine;

namespace {

CallRecord freshCall() {
  CallRecord call;
  call.id = "call_1";
  call.agentId = "agent";
  call.createdAt = 1'700'000'000'000;
  return call;
}

nlohmann::json fullRecord(const CallRecord& call) {
  nlohmann::json j = call.toJson();
  j["clocks"] = call.clocks;
  j["ended_at_ms"] = call.endedAt.value_or(-1);
  j["answered_at_ms"] = call.answeredAt.value_or(-1);
  return j;
}

CallRecord applyAll(const std::vector<sb::sdk::CallEvent>& events) {
  CallRecord call = freshCall();
  for (const auto& event : events) {
    CallStateMachine::apply(call, event);
  }
  return call;
}

}  // namespace

TEST_CASE("state machine: an answered call runs to completed with talk time", "[calls]") {
  const CallRecord call = applyAll(sb::test::eventScript("answered", "call_1"));
  CHECK(call.status == "completed");
  CHECK(call.result == "answered");
  CHECK(call.talkSeconds == 30);
  CHECK(call.endCause == "completed");
  CHECK(call.agentState == "disconnected");
  CHECK(call.agentLegId == "agent-leg-1");
  CHECK_FALSE(call.agentMuted);
  CHECK_FALSE(call.contactHeld);
  CHECK(call.conferenceState == "completed");
  CHECK(call.ringingAt == 1'700'000'000'200);
  CHECK(call.answeredAt == 1'700'000'001'700);
  CHECK(call.endedAt == 1'700'000'031'700);
}

TEST_CASE("state machine: busy, no-answer and failed are results of their own", "[calls]") {
  for (const std::string result : {"busy", "no-answer", "failed"}) {
    const CallRecord call = applyAll(sb::test::eventScript(result, "call_1"));
    CHECK(call.status == result);
    CHECK(call.result == result);
    CHECK_FALSE(call.talkSeconds.has_value());
    CHECK(call.ended());
  }
}

TEST_CASE("state machine: a late event never moves a call backwards - final states are final", "[calls]") {
  auto events = sb::test::eventScript("answered", "call_1");
  CallRecord call = freshCall();
  CallStateMachine::apply(call, events[1]);  // answered first
  CHECK(call.status == "in-progress");
  const auto ringing = CallStateMachine::apply(call, events[0]);  // ringing arrives late
  CHECK(call.status == "in-progress");
  CHECK(call.ringingAt.has_value());  // the fact is kept, the state is not moved
  CHECK(ringing.changed);

  auto busy = sb::test::callEvent("call_1", "late-busy", sb::sdk::event::kLegEnded, "contact", 1'700'000'099'000, 99);
  busy.cause = "busy";
  CallStateMachine::apply(call, events[8]);  // completed
  REQUIRE(call.status == "completed");
  CallStateMachine::apply(call, busy);
  CHECK(call.status == "completed");
  CHECK(call.endedAt == 1'700'000'031'700);
}

TEST_CASE("state machine: applying an event twice changes nothing the second time", "[calls]") {
  for (const auto& event : sb::test::eventScript("answered", "call_1")) {
    CallRecord call = freshCall();
    CallStateMachine::apply(call, event);
    const nlohmann::json once = fullRecord(call);
    const auto again = CallStateMachine::apply(call, event);
    CHECK_FALSE(again.changed);
    CHECK(fullRecord(call) == once);
  }
}

TEST_CASE("state machine: an older mute loses to a newer unmute whatever the order", "[calls]") {
  auto events = sb::test::eventScript("answered", "call_1");
  CallRecord a = freshCall();
  CallStateMachine::apply(a, events[4]);  // muted at 5 s
  CallStateMachine::apply(a, events[5]);  // unmuted at 7 s
  CallRecord b = freshCall();
  CallStateMachine::apply(b, events[5]);
  CallStateMachine::apply(b, events[4]);
  CHECK_FALSE(a.agentMuted);
  CHECK_FALSE(b.agentMuted);
}

TEST_CASE("state machine: the contact's end is reported once, as the call becoming final", "[calls]") {
  auto events = sb::test::eventScript("answered", "call_1");
  CallRecord call = freshCall();
  for (size_t i = 0; i < 8; ++i) {
    CHECK_FALSE(CallStateMachine::apply(call, events[i]).becameFinal);
  }
  CHECK(CallStateMachine::apply(call, events[8]).becameFinal);
  CHECK_FALSE(CallStateMachine::apply(call, events[10]).becameFinal);
}

TEST_CASE("state machine: the agent leaving a live call is flagged so the bridge is closed", "[calls]") {
  auto events = sb::test::eventScript("answered", "call_1");
  CallRecord call = freshCall();
  for (size_t i = 0; i < 4; ++i) {
    CallStateMachine::apply(call, events[i]);
  }
  CHECK_FALSE(CallStateMachine::agentAwaySince(call));  // connected
  const auto left = CallStateMachine::apply(call, events[9]);
  CHECK(left.agentLeftLiveCall);
  CHECK(call.status == "in-progress");
  // Away since the leg ended: the host waits for the page to come back.
  REQUIRE(CallStateMachine::agentAwaySince(call));
  CHECK(*CallStateMachine::agentAwaySince(call) == events[9].occurredAtMs);
  // Once the call is over nobody is waited for.
  CallStateMachine::apply(call, events[8]);
  CHECK_FALSE(CallStateMachine::agentAwaySince(call));
}

TEST_CASE("state machine: an agent who never joined is not 'away' (that call is abandoned instead)", "[calls]") {
  auto events = sb::test::eventScript("answered", "call_1");
  CallRecord call = freshCall();
  CallStateMachine::apply(call, events[0]);
  CallStateMachine::apply(call, events[1]);
  CHECK_FALSE(call.agentJoinedAt);
  CHECK_FALSE(CallStateMachine::agentAwaySince(call));
}

TEST_CASE("state machine: a browser leg replaced by a reload - the old leg's end is not the agent leaving", "[calls]") {
  namespace ev = sb::sdk::event;
  const auto script = sb::test::eventScript("answered", "call_1");
  const std::vector<sb::sdk::CallEvent> live(script.begin(), script.begin() + 3);  // rang, answered, bridged
  const int64_t t0 = 1'700'000'000'000;
  auto agentEvent = [&](const char* key, const char* type, const char* leg, int64_t at) {
    auto event = sb::test::callEvent("call_1", key, type, "agent", t0 + at, 0);
    event.providerCallId = leg;
    return event;
  };
  // The first page's leg joins, the page reloads (its leg ends), the new page's leg joins.
  std::vector<sb::sdk::CallEvent> legs = {agentEvent("old-joined", ev::kAgentJoined, "leg-old", 1900),
                                          agentEvent("old-ended", ev::kAgentLeft, "leg-old", 4000),
                                          agentEvent("new-joined", ev::kAgentJoined, "leg-new", 4500)};
  std::vector<size_t> order = {0, 1, 2};
  do {
    CallRecord call = applyAll(live);
    bool flaggedLeft = false;
    for (size_t i : order) flaggedLeft |= CallStateMachine::apply(call, legs[i]).agentLeftLiveCall;
    INFO(order[0] << order[1] << order[2]);
    // Every order ends with the new leg connected; controls go to it.
    CHECK(call.agentState == "connected");
    CHECK(call.agentLegId == "leg-new");
    CHECK(call.status == "in-progress");
    // Only when the old leg was the agent's only leg as it ended has the agent
    // left a live call (the host then closes the bridge, as before).
    CHECK(flaggedLeft == (order == std::vector<size_t>{0, 1, 2}));
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST_CASE("state machine: the host's own end stands against later provider ends", "[calls]") {
  auto events = sb::test::eventScript("answered", "call_1");
  CallRecord call = freshCall();
  CallStateMachine::apply(call, events[1]);
  CallStateMachine::endByHost(call, 1'700'000'010'000, "ended-by-agent");
  CHECK(call.status == "completed");
  CallStateMachine::apply(call, events[8]);
  CHECK(call.endCause == "ended-by-agent");
  CHECK(call.endedAt == 1'700'000'010'000);
  CHECK(call.talkSeconds == 30);  // the provider's duration is still the talk time
}

TEST_CASE("state machine: an abandoned call reads abandoned whichever end lands first", "[calls]") {
  const auto ringing = sb::test::callEvent("call_1", "r", "leg.ringing", "contact", 1'700'000'000'200, 1);
  const auto answered = sb::test::callEvent("call_1", "a", "leg.answered", "contact", 1'700'000'001'700, 2);
  auto ended = sb::test::callEvent("call_1", "e", "leg.ended", "contact", 1'700'000'017'000, 3);
  ended.cause = "completed";
  ended.durationS = 15;
  for (const bool providerFirst : {true, false}) {
    CallRecord call = freshCall();
    CallStateMachine::apply(call, ringing);
    CallStateMachine::apply(call, answered);
    CHECK(CallStateMachine::markAbandoned(call, 1'700'000'016'800).changed);
    CHECK(call.status == "in-progress");  // marked, not yet over
    if (providerFirst) {
      CallStateMachine::apply(call, ended);
      CallStateMachine::endByHost(call, 1'700'000'017'100, "abandoned-no-agent");
    } else {
      CallStateMachine::endByHost(call, 1'700'000'016'900, "abandoned-no-agent");
      CallStateMachine::apply(call, ended);
    }
    INFO(providerFirst);
    CHECK(call.status == "completed");
    CHECK(call.result == "abandoned");
    CHECK(call.endCause == "abandoned-no-agent");
    CHECK(call.talkSeconds == 0);
  }
  // An agent who joins before the end makes it a call like any other.
  CallRecord joined = freshCall();
  CallStateMachine::apply(joined, answered);
  CallStateMachine::markAbandoned(joined, 1'700'000'016'800);
  CallStateMachine::apply(joined, sb::test::callEvent("call_1", "j", "agent.joined", "agent", 1'700'000'016'850, 4));
  CallStateMachine::apply(joined, ended);
  CHECK(joined.result == "answered");
  CHECK(joined.talkSeconds == 15);
  // Only a live, answered, never-joined call can be marked.
  CHECK_FALSE(CallStateMachine::markAbandoned(joined, 1'700'000'020'000).changed);
}

TEST_CASE("state machine property: any order and duplication of a call's events gives the same record", "[calls]") {
  std::mt19937 random(20261201);
  for (const std::string result : {"answered", "busy", "no-answer", "failed"}) {
    const auto script = sb::test::eventScript(result, "call_1");
    const nlohmann::json expected = fullRecord(applyAll(script));
    for (int trial = 0; trial < 300; ++trial) {
      std::vector<sb::sdk::CallEvent> shuffled = script;
      // Redeliver a random subset, then shuffle everything.
      std::uniform_int_distribution<size_t> pick(0, script.size() - 1);
      const size_t redeliveries = pick(random);
      for (size_t i = 0; i < redeliveries; ++i) {
        shuffled.push_back(script[pick(random)]);
      }
      std::shuffle(shuffled.begin(), shuffled.end(), random);
      const nlohmann::json got = fullRecord(applyAll(shuffled));
      INFO(result << " trial " << trial);
      REQUIRE(got == expected);
    }
  }
}

TEST_CASE("state machine property: the agent's End racing the provider's hang-up gives the same record", "[calls]") {
  // The host records the agent's decision (markEnding) before it asks the
  // provider, so the provider's end events always come after the mark; the
  // host's own end (endByHost) lands anywhere after it; any other event may
  // come late or twice.
  std::mt19937 random(20261202);
  const auto script = sb::test::eventScript("answered", "call_1");
  const int64_t pressedEnd = 1'700'000'020'000;
  enum class Step { Event, Mark, HostEnd };
  struct Item {
    Step step;
    size_t event = 0;
  };
  auto isEnd = [&](const Item& item) {
    if (item.step == Step::HostEnd) return true;
    if (item.step != Step::Event) return false;
    const std::string& type = script[item.event].type;
    return type == "leg.ended" || type == "agent.left" || type == "conference.ended";
  };
  auto run = [&](const std::vector<Item>& items) {
    CallRecord call = freshCall();
    for (const Item& item : items) {
      if (item.step == Step::Mark) {
        CallStateMachine::markEnding(call, pressedEnd, "ended-by-agent");
      } else if (item.step == Step::HostEnd) {
        CallStateMachine::endByHost(call, pressedEnd + 900, "ended-by-agent");
      } else {
        CallStateMachine::apply(call, script[item.event]);
      }
    }
    return call;
  };
  std::vector<Item> inOrder;
  for (size_t i = 0; i < script.size(); ++i) {
    if (script[i].type == "leg.ended") inOrder.push_back({Step::Mark});
    inOrder.push_back({Step::Event, i});
  }
  inOrder.push_back({Step::HostEnd});
  const CallRecord canonical = run(inOrder);
  CHECK(canonical.status == "completed");
  CHECK(canonical.result == "answered");
  CHECK(canonical.endCause == "ended-by-agent");
  CHECK(canonical.endedAt == pressedEnd);
  CHECK(canonical.talkSeconds == 30);  // the provider's duration of the contact's leg
  const nlohmann::json expected = fullRecord(canonical);

  for (int trial = 0; trial < 500; ++trial) {
    std::vector<Item> items;
    for (size_t i = 0; i < script.size(); ++i) items.push_back({Step::Event, i});
    std::uniform_int_distribution<size_t> pick(0, script.size() - 1);
    for (size_t n = pick(random); n > 0; --n) items.push_back({Step::Event, pick(random)});
    items.push_back({Step::HostEnd});
    std::shuffle(items.begin(), items.end(), random);
    // The mark goes anywhere before the first end.
    const auto firstEnd = std::find_if(items.begin(), items.end(), isEnd);
    std::uniform_int_distribution<std::ptrdiff_t> at(0, firstEnd - items.begin());
    items.insert(items.begin() + at(random), {Step::Mark});
    const nlohmann::json got = fullRecord(run(items));
    INFO("trial " << trial);
    REQUIRE(got == expected);
  }
}

TEST_CASE("state machine: an end the provider refused leaves the call as it was", "[calls]") {
  const auto script = sb::test::eventScript("answered", "call_1");
  CallRecord call = freshCall();
  for (size_t i = 0; i < 4; ++i) CallStateMachine::apply(call, script[i]);
  CHECK(CallStateMachine::markEnding(call, 1'700'000'020'000, "ended-by-agent").changed);
  CHECK(CallStateMachine::clearEnding(call).changed);
  // The contact hangs up later: the provider's cause and time, not the agent's.
  for (size_t i = 4; i < script.size(); ++i) CallStateMachine::apply(call, script[i]);
  CHECK(call.endCause == "completed");
  CHECK(call.endedAt == 1'700'000'031'700);
}

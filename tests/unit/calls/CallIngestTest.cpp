// Webhook events through CallIngest::ingest into SQLite: stored once by
// their key, applied through the state machine, and the same final record
// for any order, chunking and redelivery of a call's events.
#include "unit/calls/CallDatabase.h"
#include "unit/calls/CallEventScripts.h"

#include <switchboard/core/calls/CallService.h>
#include <switchboard/core/plugin/EventCheck.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

namespace {

struct CallStore : sb::test::CallDatabase {
  std::unique_ptr<sb::core::CallService> calls;

  CallStore() {
    calls = std::make_unique<sb::core::CallService>(callRepository, contacts, metrics, sb::core::CallServiceOptions{});
  }

  void addCall(const std::string& id, const std::string& agent) {
    callRepository.transact([&] { callRepository.insert(sb::test::callRecord(id, agent)); });
  }

  static nlohmann::json toJson(const std::vector<sb::sdk::CallEvent>& events) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : events) out.push_back(e.toJson());
    return out;
  }

  nlohmann::json record(const std::string& id) {
    auto call = callRepository.find(id);
    REQUIRE(call.has_value());
    nlohmann::json j = call->toJson();
    j["clocks"] = call->clocks;
    j.erase("id");
    j.erase("conference_name");
    j["legs"]["agent"].erase("participant_id");  // the session id, one per call
    j.erase("version");                          // counts the saves, which differ with the order; the content must not
    return j;
  }
};

}  // namespace

TEST_CASE("ingest: events are stored once by key and a redelivery changes nothing", "[calls]") {
  CallStore store;
  store.addCall("call_a", "agent-a");
  const auto script = sb::test::eventScript("answered", "call_a");
  CHECK(store.calls->ingest().ingest("test", CallStore::toJson(script)) == script.size());
  const nlohmann::json after = store.record("call_a");
  CHECK(after["status"] == "completed");
  CHECK(after["result"] == "answered");
  CHECK(store.calls->ingest().ingest("test", CallStore::toJson(script)) == 0);
  CHECK(store.record("call_a") == after);
  const auto timeline = store.callRepository.timeline("call_a");
  CHECK(std::count_if(timeline.begin(), timeline.end(), [](const auto& e) { return e.source == "test"; }) ==
        static_cast<std::ptrdiff_t>(script.size()));
}

TEST_CASE("ingest: every change raises the call's version, a redelivery does not", "[calls]") {
  CallStore store;
  store.addCall("call_v", "agent-v");
  CHECK(store.callRepository.find("call_v")->version == 1);
  const auto ringing = sb::test::callEvent("call_v", "v-1", "leg.ringing", "contact", 1'700'000'000'100, 1);
  const auto answered = sb::test::callEvent("call_v", "v-2", "leg.answered", "contact", 1'700'000'000'200, 2);
  store.calls->ingest().ingest("test", CallStore::toJson({ringing}));
  const auto rang = *store.callRepository.find("call_v");
  CHECK(rang.version == 2);
  CHECK(rang.toJson()["version"] == 2);
  store.calls->ingest().ingest("test", CallStore::toJson({ringing}));
  CHECK(store.callRepository.find("call_v")->version == 2);
  store.calls->ingest().ingest("test", CallStore::toJson({answered}));
  const auto live = *store.callRepository.find("call_v");
  CHECK(live.version == 3);
  CHECK(live.status == "in-progress");
  // What a client kept from before the answer is older by its version alone.
  CHECK(rang.toJson()["version"] < live.toJson()["version"]);
}

TEST_CASE("ingest: an event for an unknown call is dropped, the rest of the webhook is applied", "[calls]") {
  CallStore store;
  store.addCall("call_b", "agent-b");
  auto stray = sb::test::callEvent("call_nobody", "stray-1", "leg.ringing", "contact", 1, 1);
  auto ringing = sb::test::callEvent("call_b", "b-1", "leg.ringing", "contact", 1'700'000'000'100, 1);
  CHECK(store.calls->ingest().ingest("test", CallStore::toJson({stray, ringing})) == 1);
  CHECK(store.record("call_b")["status"] == "ringing");
}

TEST_CASE("ingest: an event outside the SDK's schema is refused at the door, named in the log, never stored",
          "[calls][schema]") {
  CallStore store;
  store.addCall("call_s", "agent-s");
  const int64_t t0 = 1'700'000'000'000;
  auto answered = sb::test::callEvent("call_s", "s-1", "leg.answered", "contact", t0 + 1000, 1);
  auto typo = sb::test::callEvent("call_s", "s-2", "leg.answerd", "contact", t0 + 1100, 2);
  // A cause the schema does not know, earlier than the real end: before the
  // check it marked the call failed and beat the real end event.
  auto badEnd = sb::test::callEvent("call_s", "s-3", "leg.ended", "contact", t0 + 5000, 3);
  badEnd.cause = "hung-up";
  auto realEnd = sb::test::callEvent("call_s", "s-4", "leg.ended", "contact", t0 + 9000, 4);
  realEnd.cause = "completed";
  nlohmann::json webhook = CallStore::toJson({answered, typo, badEnd, realEnd});
  webhook.push_back({{"event_key", "s-5"},
                     {"type", "leg.ringing"},
                     {"call_id", "call_s"},
                     {"occurred_at_ms", t0},
                     {"colour", "red"}});  // a field the schema does not have
  CHECK(store.calls->ingest().ingest("plugin-x", webhook) == 2);

  const auto call = store.record("call_s");
  CHECK(call["status"] == "completed");
  CHECK(call["result"] == "answered");
  CHECK(call["end_cause"] == "completed");
  // Only the two valid provider events are stored (the host may add its
  // own, e.g. after trying to end the bridge, on the service's thread).
  std::vector<std::string> stored;
  for (const auto& event : store.callRepository.timeline("call_s")) {
    if (event.source != "host") stored.push_back(event.eventKey);
  }
  CHECK(stored == std::vector<std::string>{"s-1", "s-4"});
  // Each refusal's log line (the one CallService logs) names the plugin, the
  // event and the field. Read from the message, not from a sink: the
  // logger's sinks are shared with the service's own threads.
  auto refusal = [&](size_t index) {
    const auto& event = webhook[index];
    return sb::core::refusedEventMessage("plugin-x", event, sb::core::callEventProblems(event));
  };
  CHECK(sb::core::callEventProblems(webhook[0]).empty());  // the valid ones pass
  CHECK(sb::core::callEventProblems(webhook[3]).empty());
  CHECK(refusal(1).rfind("plugin 'plugin-x' emitted an event the SDK's schema refuses (type \"leg.answerd\", "
                         "event_key \"s-2\"): /type: \"leg.answerd\" is not one of",
                         0) == 0);
  CHECK(refusal(2).find("event_key \"s-3\"): /cause: \"hung-up\" is not one of") != std::string::npos);
  CHECK(refusal(4).find("event_key \"s-5\"): /colour: property not allowed; rejected") != std::string::npos);
  CHECK(store.metrics.render().find("switchboard_call_events_rejected_total{provider=\"plugin-x\"} 3") !=
        std::string::npos);
}

TEST_CASE("ingest: an event without our call id is matched by the provider's leg id", "[calls]") {
  CallStore store;
  store.addCall("call_c", "agent-c");
  store.callRepository.transact([&] {
    const auto before = *store.callRepository.find("call_c");
    auto call = before;
    call.providerCallId = "CA123";
    store.callRepository.save(before, call);
  });
  auto answered = sb::test::callEvent("", "c-1", "leg.answered", "contact", 1'700'000'000'100, 1);
  answered.providerCallId = "CA123";
  CHECK(store.calls->ingest().ingest("test", CallStore::toJson({answered})) == 1);
  CHECK(store.record("call_c")["status"] == "in-progress");
}

TEST_CASE("ingest property: any order, chunking and redelivery of webhooks gives the same stored call", "[calls]") {
  CallStore store;
  std::mt19937 random(1201);
  int callNumber = 0;
  for (const std::string result : {"answered", "busy", "no-answer", "failed"}) {
    nlohmann::json expected;
    for (int trial = 0; trial < 12; ++trial) {
      const std::string id = "call_" + std::to_string(++callNumber);
      store.addCall(id, "agent-" + std::to_string(callNumber));
      const auto script = sb::test::eventScript(result, id);
      std::vector<sb::sdk::CallEvent> deliveries = script;
      std::uniform_int_distribution<size_t> pick(0, script.size() - 1);
      for (size_t i = pick(random); i > 0; --i) {
        deliveries.push_back(script[pick(random)]);
      }
      std::shuffle(deliveries.begin(), deliveries.end(), random);
      // Webhooks of 1 to 3 events each.
      size_t at = 0;
      while (at < deliveries.size()) {
        const size_t size = std::min(deliveries.size() - at, std::uniform_int_distribution<size_t>(1, 3)(random));
        store.calls->ingest().ingest("test",
                                     CallStore::toJson({deliveries.begin() + static_cast<std::ptrdiff_t>(at),
                                                        deliveries.begin() + static_cast<std::ptrdiff_t>(at + size)}));
        at += size;
      }
      store.calls->drainReactions();
      nlohmann::json got = store.record(id);
      got.erase("agent_id");
      // Clocks name the deciding event by key, and keys embed the call id.
      for (auto& clock : got["clocks"]) {
        clock.back() = clock.back().get<std::string>().substr(id.size());
      }
      // The legs' provider ids embed nothing of the call id in this script.
      INFO(result << " trial " << trial);
      if (trial == 0) {
        expected = got;
      } else {
        REQUIRE(got == expected);
      }
      CHECK(store.callRepository.timeline(id).size() >= script.size());
    }
    CHECK(expected["result"] == (result == "answered" ? "answered" : result));
  }
}

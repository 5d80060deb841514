// Telnyx v2 webhooks as canonical events: the leg comes from our
// client_state, hang-up causes map to end causes, conference events carry
// occurred_at in the payload, and what the host does not track is dropped.
#include "TelnyxEvents.h"

#include <catch2/catch.hpp>

using sb::telnyx::ClientState;
using sb::telnyx::decodeClientState;
using sb::telnyx::encodeClientState;
using sb::telnyx::webhookEvents;

namespace {

nlohmann::json envelope(const std::string& type, nlohmann::json payload, const std::string& occurred) {
  nlohmann::json data = {{"record_type", "event"}, {"event_type", type}, {"id", "evt-" + type}, {"payload", payload}};
  if (!occurred.empty()) data["occurred_at"] = occurred;
  return {{"data", data}, {"meta", {{"attempt", 1}, {"delivered_to", "https://example.com/webhooks"}}}};
}

nlohmann::json legPayload(const std::string& leg, nlohmann::json extra = nlohmann::json::object()) {
  nlohmann::json payload = {{"call_control_id", "v3:abc_" + leg},
                            {"call_leg_id", "428c31b6-7af4-4bcb-b7f5-5013ef9657c1"},
                            {"call_session_id", "428c31b6-abf3-3bc1-b7f4-5013ef9657c1"},
                            {"client_state", encodeClientState({"call_42", leg})},
                            {"connection_id", "7267"},
                            {"from", "+35319605860"},
                            {"to", "+13129457420"}};
  payload.update(extra);
  return payload;
}

}  // namespace

TEST_CASE("telnyx events: client_state round-trips on one line and foreign state is ignored", "[telnyx]") {
  const std::string encoded = encodeClientState({"call_42", "contact"});
  CHECK(encoded.find('\n') == std::string::npos);
  const auto decoded = decodeClientState(encoded);
  REQUIRE(decoded.has_value());
  CHECK(decoded->callId == "call_42");
  CHECK(decoded->leg == "contact");
  CHECK_FALSE(decodeClientState(nullptr).has_value());
  CHECK_FALSE(decodeClientState("aGF2ZSBhIG5pY2UgZGF5ID1d").has_value());  // someone else's ("have a nice day =]")
  CHECK_FALSE(decodeClientState("%%%").has_value());
}

TEST_CASE("telnyx events: ISO 8601 times with microseconds and offsets", "[telnyx]") {
  CHECK(sb::telnyx::parseIso8601("2018-02-02T22:25:27.521992Z") == 1517610327521);
  CHECK(sb::telnyx::parseIso8601("2018-02-02T22:25:27Z") == 1517610327000);
  CHECK(sb::telnyx::parseIso8601("2018-02-02T23:25:27.5+01:00") == 1517610327500);
  CHECK_FALSE(sb::telnyx::parseIso8601("2018-02-02 nonsense").has_value());
  CHECK_FALSE(sb::telnyx::parseIso8601("2018-13-02T22:25:27Z").has_value());
}

TEST_CASE("telnyx events: the contact's leg", "[telnyx]") {
  auto events = webhookEvents(
      envelope("call.initiated", legPayload("contact", {{"direction", "outgoing"}}), "2018-02-02T22:25:27.521992Z"), 0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "leg.initiated");
  CHECK(events[0].callId == "call_42");
  CHECK(events[0].leg == "contact");
  CHECK(events[0].providerCallId == "v3:abc_contact");
  CHECK(events[0].eventKey == "evt-call.initiated");
  CHECK(events[0].occurredAtMs == 1517610327521);

  events = webhookEvents(envelope("call.answered", legPayload("contact"), "2018-02-02T22:25:30Z"), 0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "leg.answered");

  // start_time is when the call started (dialled, ringing included): not the
  // talk time, which the host counts from the answer.
  events = webhookEvents(envelope("call.hangup",
                                  legPayload("contact", {{"hangup_cause", "normal_clearing"},
                                                         {"start_time", "2018-02-02T22:25:12Z"},
                                                         {"end_time", "2018-02-02T22:26:15Z"}}),
                                  "2018-02-02T22:26:15Z"),
                         0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "leg.ended");
  CHECK(events[0].cause == "completed");
  CHECK(events[0].occurredAtMs == 1517610375000);
  CHECK_FALSE(events[0].durationS.has_value());
}

TEST_CASE("telnyx events: hang-up causes", "[telnyx]") {
  CHECK(sb::telnyx::causeFromHangup("normal_clearing") == "completed");
  CHECK(sb::telnyx::causeFromHangup("user_busy") == "busy");
  CHECK(sb::telnyx::causeFromHangup("call_rejected") == "busy");
  CHECK(sb::telnyx::causeFromHangup("timeout") == "no-answer");
  CHECK(sb::telnyx::causeFromHangup("no_answer") == "no-answer");
  CHECK(sb::telnyx::causeFromHangup("originator_cancel") == "canceled");
  CHECK(sb::telnyx::causeFromHangup("not_found") == "failed");
  CHECK(sb::telnyx::causeFromHangup("something_new") == "failed");
  const auto busy = webhookEvents(
      envelope("call.hangup", legPayload("contact", {{"hangup_cause", "user_busy"}}), "2018-02-02T22:26:15Z"), 0);
  REQUIRE(busy.size() == 1);
  CHECK(busy[0].cause == "busy");
  CHECK_FALSE(busy[0].durationS.has_value());
}

TEST_CASE("telnyx events: the agent's browser leg and the conference", "[telnyx]") {
  CHECK(webhookEvents(envelope("call.initiated", legPayload("agent"), "2018-02-02T22:25:27Z"), 0).empty());
  auto events = webhookEvents(envelope("call.answered", legPayload("agent"), "2018-02-02T22:25:28Z"), 0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "agent.joined");
  events = webhookEvents(
      envelope("call.hangup", legPayload("agent", {{"hangup_cause", "normal_clearing"}}), "2018-02-02T22:27:00Z"), 0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "agent.left");

  // conference.created: occurred_at in the payload, not in data.
  events = webhookEvents(envelope("conference.created",
                                  legPayload("agent", {{"conference_id", "c0ffee00-0000-4000-8000-000000000001"},
                                                       {"occurred_at", "2018-02-02T22:25:29.000001Z"}}),
                                  ""),
                         0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "conference.started");
  CHECK(events[0].conferenceId == "c0ffee00-0000-4000-8000-000000000001");
  CHECK(events[0].callId == "call_42");
  CHECK(events[0].leg.empty());
  CHECK(events[0].occurredAtMs == 1517610329000);

  events = webhookEvents(
      envelope("conference.ended",
               legPayload("agent", {{"conference_id", "c0ffee00-0000-4000-8000-000000000001"}, {"reason", "all_left"}}),
               "2018-02-02T22:28:00Z"),
      0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "conference.ended");
}

TEST_CASE("telnyx events: untracked events, missing state and malformed bodies", "[telnyx]") {
  CHECK(webhookEvents(envelope("call.speak.ended", legPayload("contact"), "2018-02-02T22:25:27Z"), 0).empty());
  CHECK(webhookEvents(envelope("conference.participant.joined", legPayload("contact"), "2018-02-02T22:25:27Z"), 0)
            .empty());
  // No client_state (a leg we did not dial): the event still names the
  // Telnyx leg, and the host matches it by that or drops it.
  auto payload = legPayload("contact");
  payload["client_state"] = nullptr;
  const auto events = webhookEvents(envelope("call.answered", payload, "2018-02-02T22:25:27Z"), 0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].callId.empty());
  CHECK(events[0].providerCallId == "v3:abc_contact");
  // A v1 body (flat, "call_initiated") is refused with what to change.
  try {
    webhookEvents({{"event_type", "call_initiated"}, {"payload", nlohmann::json::object()}}, 0);
    FAIL("a v1 body was accepted");
  } catch (const sb::sdk::ProviderError& e) {
    CHECK(e.status() == sb::sdk::Status::InvalidArgument);
    CHECK(std::string(e.what()).find("webhook_api_version") != std::string::npos);
  }
}

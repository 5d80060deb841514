// Twilio's callbacks as canonical events, and the conference TwiML.
#include "TwiML.h"
#include "TwilioEvents.h"

#include <catch2/catch.hpp>

using sb::sdk::encoding::FormFields;
using sb::sdk::encoding::parseForm;

TEST_CASE("twilio twiml: the conference document, attributes in order, text escaped", "[twilio]") {
  sb::twilio::ConferenceTwiml spec;
  spec.conferenceName = "TestConferenceAttributes";
  spec.participantLabel.clear();
  // The golden string of twilio-python's tests (attributes sorted).
  CHECK(sb::twilio::conferenceTwiml(spec) ==
        R"(<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Conference beep="false" )"
        R"(endConferenceOnExit="true" startConferenceOnEnter="true" waitUrl="">TestConferenceAttributes)"
        R"(</Conference></Dial></Response>)");

  spec.conferenceName = "COLD_CALL_2026-12-01_<a&b>";
  spec.participantLabel = "agent";
  spec.statusCallback = "https://host.example/webhooks/twilio/conference?call_id=call_1&x=\"y\"";
  const std::string twiml = sb::twilio::conferenceTwiml(spec);
  CHECK(twiml.find(R"(participantLabel="agent")") != std::string::npos);
  CHECK(twiml.find(
            R"(statusCallback="https://host.example/webhooks/twilio/conference?call_id=call_1&amp;x=&quot;y&quot;")") !=
        std::string::npos);
  CHECK(twiml.find(R"(statusCallbackEvent="start end join leave mute hold")") != std::string::npos);
  CHECK(twiml.find(">COLD_CALL_2026-12-01_&lt;a&amp;b&gt;</Conference>") != std::string::npos);
}

TEST_CASE("twilio events: RFC 2822 timestamps", "[twilio]") {
  CHECK(sb::twilio::parseRfc2822("Sun, 25 Mar 2018 09:53:19 +0000") == int64_t{1521971599000});
  CHECK(sb::twilio::parseRfc2822("Thu, 1 Jun 2017 20:48:32 +0000") == int64_t{1496350112000});
  CHECK(sb::twilio::parseRfc2822("Thu, 1 Jun 2017 22:48:32 +0200") == int64_t{1496350112000});
  CHECK_FALSE(sb::twilio::parseRfc2822("yesterday").has_value());
  CHECK_FALSE(sb::twilio::parseRfc2822("Thu, 1 Foo 2017 20:48:32 +0000").has_value());
}

TEST_CASE("twilio events: call progress of the contact's leg", "[twilio]") {
  const std::string base =
      "CallSid=CA11111111111111111111111111111111&AccountSid=AC1&CallbackSource=call-progress-events"
      "&Timestamp=Sun%2C%2025%20Mar%202018%2009%3A53%3A19%20%2B0000";
  auto ringing =
      sb::twilio::callProgressEvents(parseForm(base + "&CallStatus=ringing&SequenceNumber=1"), "call_1", "contact", 0);
  REQUIRE(ringing.size() == 1);
  CHECK(ringing[0].type == "leg.ringing");
  CHECK(ringing[0].callId == "call_1");
  CHECK(ringing[0].providerCallId == "CA11111111111111111111111111111111");
  CHECK(ringing[0].occurredAtMs == 1521971599999);  // the end of Twilio's whole second
  CHECK(ringing[0].sequence == 1);

  auto answered = sb::twilio::callProgressEvents(parseForm(base + "&CallStatus=in-progress&SequenceNumber=2"), "call_1",
                                                 "contact", 0);
  REQUIRE(answered.size() == 1);
  CHECK(answered[0].type == "leg.answered");
  CHECK(answered[0].eventKey != ringing[0].eventKey);

  auto busy = sb::twilio::callProgressEvents(
      parseForm(base + "&CallStatus=busy&SipResponseCode=486&CallDuration=0&SequenceNumber=2"), "call_1", "contact", 0);
  REQUIRE(busy.size() == 1);
  CHECK(busy[0].type == "leg.ended");
  CHECK(busy[0].cause == "busy");
  CHECK(busy[0].durationS == 0);

  auto completed = sb::twilio::callProgressEvents(
      parseForm(base + "&CallStatus=completed&CallDuration=42&SequenceNumber=3"), "call_1", "contact", 0);
  CHECK(completed[0].durationS == 42);
  // A redelivery has the same key.
  CHECK(sb::twilio::callProgressEvents(parseForm(base + "&CallStatus=completed&CallDuration=42&SequenceNumber=3"),
                                       "call_1", "contact", 0)[0]
            .eventKey == completed[0].eventKey);
  CHECK(sb::twilio::callProgressEvents(parseForm(base + "&CallStatus=queued&SequenceNumber=0"), "call_1", "contact", 0)
            .empty());
}

TEST_CASE("twilio events: a callback without a timestamp takes the time it arrived", "[twilio]") {
  auto events = sb::twilio::callProgressEvents(parseForm("CallSid=CA1&CallStatus=ringing"), "call_1", "contact", 777);
  REQUIRE(events.size() == 1);
  CHECK(events[0].occurredAtMs == 777);
  CHECK_FALSE(events[0].sequence.has_value());
}

TEST_CASE("twilio events: conference callbacks", "[twilio]") {
  const std::string base =
      "ConferenceSid=CF1&FriendlyName=COLD_CALL_x&AccountSid=AC1"
      "&Timestamp=Thu%2C%201%20Jun%202017%2020%3A48%3A32%20%2B0000";
  auto started = sb::twilio::conferenceEvents(
      parseForm(base + "&StatusCallbackEvent=conference-start&SequenceNumber=1"), "call_1", 0);
  REQUIRE(started.size() == 1);
  CHECK(started[0].type == "conference.started");
  CHECK(started[0].conferenceId == "CF1");
  CHECK(started[0].leg.empty());

  auto joined = sb::twilio::conferenceEvents(
      parseForm(base + "&StatusCallbackEvent=participant-join&CallSid=CA2&ParticipantLabel=agent&SequenceNumber=2"),
      "call_1", 0);
  REQUIRE(joined.size() == 1);
  CHECK(joined[0].type == "agent.joined");
  CHECK(joined[0].leg == "agent");
  CHECK(joined[0].providerCallId == "CA2");

  auto muted = sb::twilio::conferenceEvents(
      parseForm(base + "&StatusCallbackEvent=participant-mute&CallSid=CA2&ParticipantLabel=agent&Muted=true"
                       "&SequenceNumber=3"),
      "call_1", 0);
  REQUIRE(muted.size() == 1);
  CHECK(muted[0].type == "participant.muted");
  CHECK(muted[0].muted == true);
  // A mute is taken at the start of its second (a join at its end): a late
  // callback must not outrank the host's next command of the same second.
  CHECK(muted[0].occurredAtMs == 1496350112000);
  CHECK(joined[0].occurredAtMs == 1496350112999);

  auto unheld = sb::twilio::conferenceEvents(
      parseForm(base + "&StatusCallbackEvent=participant-unhold&CallSid=CA3&ParticipantLabel=contact&Hold=false"
                       "&SequenceNumber=4"),
      "call_1", 0);
  REQUIRE(unheld.size() == 1);
  CHECK(unheld[0].type == "participant.held");
  CHECK(unheld[0].leg == "contact");
  CHECK(unheld[0].held == false);

  auto left = sb::twilio::conferenceEvents(
      parseForm(base + "&StatusCallbackEvent=participant-leave&CallSid=CA2&ParticipantLabel=agent&SequenceNumber=5"),
      "call_1", 0);
  CHECK(left.at(0).type == "agent.left");
  auto ended = sb::twilio::conferenceEvents(
      parseForm(base + "&StatusCallbackEvent=conference-end&ReasonConferenceEnded=participant-with-end-conference-"
                       "on-exit-left&SequenceNumber=6"),
      "call_1", 0);
  CHECK(ended.at(0).type == "conference.ended");
  // The contact's own join is told by its call progress; speech is not tracked.
  CHECK(sb::twilio::conferenceEvents(
            parseForm(base + "&StatusCallbackEvent=participant-join&CallSid=CA3&ParticipantLabel=contact"), "call_1", 0)
            .empty());
  CHECK(sb::twilio::conferenceEvents(parseForm(base + "&StatusCallbackEvent=participant-speech-start&CallSid=CA3"),
                                     "call_1", 0)
            .empty());
}

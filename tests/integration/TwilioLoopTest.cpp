// The whole loop with the Twilio plugin against the fake Twilio: host +
// plugin (loaded like any plugin) + a local Twilio that checks every REST
// request against the official description and posts signed callbacks. The
// browser leg is what the Voice SDK would cause: the TwiML App request with
// the session the host handed out.
#include "support/ApiClient.h"
#include "support/CallProbe.h"
#include "support/HttpCall.h"
#include "support/ParticipantIds.h"
#include "support/ProviderWorld.h"
#include "support/TestHost.h"
#include "support/fakes/FakeTwilio.h"

#include <catch2/catch.hpp>

#include <thread>

using sb::test::ApiClient;
using sb::test::CallProbe;
using sb::test::eventually;
using sb::test::FakeTwilio;

namespace {

sb::test::FakeTwilioOptions twilioOptions() {
  sb::test::FakeTwilioOptions options;
  options.outcomes = CallProbe::loopOutcomes();
  return options;
}

struct TwilioWorld {
  FakeTwilio fake;
  sb::test::TestHost host;
  ApiClient agent{host.port(), host.agentKey};
  sb::test::CallProbe probe{agent};

  explicit TwilioWorld(std::map<std::string, std::string> extra = {})
      : fake(twilioOptions()), host(sb::test::hostConfigFor(fake, std::move(extra))) {
    fake.setAppVoiceUrl("http://127.0.0.1:" + std::to_string(host.port()) + "/webhooks/twilio/voice");
  }

  ~TwilioWorld() {
    for (const auto& violation : fake.violations()) UNSCOPED_INFO("fake Twilio: " << violation);
    CHECK(fake.violations().empty());  // every request valid against the official description
  }

  /// webrtc-join, then the browser connects with what the host returned.
  FakeTwilio::BrowserLeg join(const std::string& id) {
    const auto joined = agent.post("/api/v1/calls/" + id + "/join", nlohmann::json::object());
    REQUIRE(joined.status == 200);
    const auto& credential = joined.json["credential"];
    REQUIRE(credential["kind"] == "twilio.access_token");
    sb::sdk::encoding::FormFields params;
    for (const auto& [key, value] : credential["sdk"]["params"].items()) params.emplace_back(key, value);
    return fake.connectBrowser(credential["token"], params);
  }
};

}  // namespace

TEST_CASE("twilio loop: answered - the agent joins, mutes, holds, ends - outcome and history", "[twilio][call-loop]") {
  TwilioWorld world;
  const std::string id = world.probe.dial("+12125550001");
  REQUIRE(world.fake.count("POST", "/Calls.json") == 1);
  const auto created = world.fake.restCalls().front();
  CHECK(created.path == "/2010-04-01/Accounts/" + world.fake.options().accountSid + "/Calls.json");

  const auto leg = world.join(id);
  REQUIRE(leg.joined);
  INFO(leg.error);
  REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) {
    return c["status"] == "in-progress" && c["legs"]["agent"]["state"] == "connected";
  }));
  const auto conferenceName = world.probe.call(id)["conference_name"].get<std::string>();
  REQUIRE(world.fake.waitUntil([&] { return world.fake.conferenceStatus(conferenceName) == "in-progress"; }));
  // The conference's SID arrives with its callbacks.
  REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) {
    return c["conference_id"].is_string() && c["conference_id"].get<std::string>().rfind("CF", 0) == 0;
  }));

  auto muted = world.agent.post("/api/v1/calls/" + id + "/mute", {{"muted", true}});
  REQUIRE(muted.status == 200);
  CHECK(muted.json["legs"]["agent"]["muted"] == true);
  CHECK(world.fake.participant(conferenceName, "agent")->muted);
  auto held = world.agent.post("/api/v1/calls/" + id + "/hold", {{"held", true}});
  REQUIRE(held.status == 200);
  CHECK(held.json["legs"]["contact"]["held"] == true);
  CHECK(world.fake.participant(conferenceName, "contact")->hold);
  REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) { return CallProbe::hasEvent(c, "participant.held"); }));
  held = world.agent.post("/api/v1/calls/" + id + "/hold", {{"held", false}});
  CHECK(held.json["legs"]["contact"]["held"] == false);

  const auto ended = world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object());
  REQUIRE(ended.status == 200);
  CHECK(ended.json["already_ended"] == false);
  REQUIRE(world.fake.waitUntil([&] { return world.fake.conferenceStatus(conferenceName) == "completed"; }));
  CHECK(world.fake.callStatus(leg.callSid) == "completed");
  REQUIRE(world.probe.reaches(id, CallProbe::bridgeOver));
  const auto again = world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object());
  CHECK(again.status == 200);
  CHECK(again.json["already_ended"] == true);

  const auto logged =
      world.agent.patch("/api/v1/calls/" + id, {{"outcome", "connected_interested"}, {"notes", "via Twilio"}});
  REQUIRE(logged.status == 200);
  const auto detail = world.probe.call(id);
  CHECK(detail["result"] == "answered");
  // The agent ended it, whichever write landed first: the host's or the
  // provider's hang-up webhook.
  CHECK(detail["end_cause"] == "ended-by-agent");
  for (const char* type : {"leg.ringing", "leg.answered", "agent.joined", "conference.started", "participant.muted",
                           "participant.held", "call.end_requested", "conference.ended", "outcome.logged"}) {
    INFO(type);
    CHECK(CallProbe::hasEvent(detail, type));
  }
  CHECK(world.agent.get("/api/v1/calls?q=via+Twilio").json["total"] == 1);
  CHECK(world.fake.rejectedCallbacks().empty());
}

TEST_CASE("twilio loop: the contact hangs up - the conference ends and the agent is free", "[twilio][call-loop]") {
  TwilioWorld world;
  const std::string id = world.probe.dial("+12125550005");
  REQUIRE(world.join(id).joined);
  // Nobody ends it: the contact hangs up after 0.4 s, which ends the
  // conference (endConferenceOnExit) and so the agent's leg.
  REQUIRE(world.probe.reaches(id, CallProbe::bridgeOver));
  const auto call = world.probe.call(id);
  CHECK(call["result"] == "answered");
  CHECK(call["end_cause"] == "completed");
  const std::string next = world.probe.dial("+12125550001");
  CHECK(world.agent.post("/api/v1/calls/" + next + "/end", nlohmann::json::object()).status == 200);
}

TEST_CASE("twilio loop: busy, no-answer and failed end on their own with their result", "[twilio][call-loop]") {
  TwilioWorld world;
  for (const auto& [phone, result] : std::vector<std::pair<std::string, std::string>>{
           {"+12125550002", "busy"}, {"+12125550003", "no-answer"}, {"+12125550004", "failed"}}) {
    INFO(result);
    const std::string id = world.probe.dial(phone);
    REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) { return c["ended_at"].is_string(); }));
    const auto call = world.probe.call(id);
    CHECK(call["result"] == result);
    CHECK(call["status"] == result);
    CHECK_FALSE(CallProbe::hasEvent(call, "leg.answered"));
  }
}

TEST_CASE("twilio loop: duplicated and reordered callbacks give the same call", "[twilio][call-loop]") {
  TwilioWorld world;
  world.fake.setDuplicateCallbacks(true);
  world.fake.setReorderWindowMs(60);
  const std::string id = world.probe.dial("+12125550005");
  REQUIRE(world.join(id).joined);
  REQUIRE(world.probe.reaches(id, CallProbe::bridgeOver));
  const auto call = world.probe.call(id);
  CHECK(call["result"] == "answered");
  // Each provider event is on the timeline once, however often it came.
  std::map<std::string, int> seen;
  for (const auto& event : call["timeline"]) {
    if (event["source"] == "twilio") ++seen[event["event_key"].get<std::string>()];
  }
  CHECK(seen.size() >= 6);  // ringing, answered, joins, conference start and end, leg ended
  for (const auto& [key, times] : seen) {
    INFO(key);
    CHECK(times == 1);
  }
}

TEST_CASE("twilio webhooks: forged, altered and re-aimed callbacks get 403 - a replay changes nothing",
          "[twilio][webhooks]") {
  TwilioWorld world;
  const std::string id = world.probe.dial("+12125550003");
  REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) { return c["ended_at"].is_string(); }));

  const std::string url = "http://127.0.0.1:" + std::to_string(world.host.port()) +
                          "/webhooks/twilio/call-status?call_id=" + id + "&leg=contact";
  sb::sdk::encoding::FormFields params = {{"CallSid", "CA00000000000000000000000000000001"},
                                          {"CallStatus", "completed"},
                                          {"CallbackSource", "call-progress-events"},
                                          {"SequenceNumber", "9"}};
  auto send = [&](const std::string& target, const sb::sdk::encoding::FormFields& body, const std::string& signature) {
    return sb::test::httpCall(
        world.host.port(), "POST", target,
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Twilio-Signature", signature}},
        sb::sdk::encoding::formEncode(body));
  };
  const std::string target = url.substr(url.find("/webhooks"));
  const std::string good = FakeTwilio::sign(world.fake.options().authToken, url, params);

  CHECK(send(target, params, "").status == 403);                                  // unsigned
  CHECK(send(target, params, "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==").status == 403);  // forged
  CHECK(send(target, params, FakeTwilio::sign("another-token", url, params)).status == 403);
  auto altered = params;
  altered[1].second = "in-progress";
  CHECK(send(target, altered, good).status == 403);
  CHECK(send("/webhooks/twilio/call-status?call_id=call_other&leg=contact", params, good).status == 403);

  CHECK(send(target, params, good).status == 200);
  CHECK(send(target, params, good).status == 200);  // replayed: accepted as the duplicate it is
  const auto after = world.probe.call(id);
  int stored = 0;
  for (const auto& event : after["timeline"]) {
    if (event.value("event_key", "") == "call:CA00000000000000000000000000000001:9:completed") ++stored;
  }
  CHECK(stored == 1);                     // the one signed (late) event, stored once
  CHECK(after["status"] == "no-answer");  // and a late event moves nothing back
}

TEST_CASE("twilio browser leg: a forged, foreign or expired session is refused", "[twilio][webhooks]") {
  TwilioWorld world;
  const std::string id = world.probe.dial("+12125550001");
  const auto joined = world.agent.post("/api/v1/calls/" + id + "/join", nlohmann::json::object());
  REQUIRE(joined.status == 200);
  const std::string token = joined.json["credential"]["token"];
  std::string session = joined.json["credential"]["sdk"]["params"]["session"];

  std::string tampered = session;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  auto leg = world.fake.connectBrowser(token, {{"session", tampered}});
  CHECK_FALSE(leg.joined);
  leg = world.fake.connectBrowser(token, {{"session", "s1.made-up"}});
  CHECK_FALSE(leg.joined);
  leg = world.fake.connectBrowser(token, {});
  CHECK_FALSE(leg.joined);

  // The token itself is checked by (the fake) Twilio.
  std::string badToken = token;
  badToken.back() = badToken.back() == 'A' ? 'B' : 'A';
  leg = world.fake.connectBrowser(badToken, {{"session", session}});
  CHECK_FALSE(leg.joined);
  CHECK(leg.error.rfind("31202", 0) == 0);

  leg = world.fake.connectBrowser(token, {{"session", session}});
  CHECK(leg.joined);
  CHECK(world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);
}

TEST_CASE("twilio faults: a 5xx on dialing is a clear error, the call is failed, nothing is dialed twice",
          "[twilio][faults]") {
  TwilioWorld world;
  world.fake.inject({FakeTwilio::Fault::Kind::Status, "POST", "/Calls.json", 500, 0, 0, 1});
  const auto dialed = world.agent.post("/api/v1/calls", {{"to", "+12125550001"}});
  CHECK(dialed.status == 503);
  CHECK(dialed.json["error"]["code"] == "PROVIDER_ERROR");
  CHECK(dialed.json["error"]["message"].get<std::string>().find("Twilio") != std::string::npos);
  CHECK(world.fake.count("POST", "/Calls.json") == 1);
  const auto history = world.agent.get("/api/v1/calls");
  REQUIRE(history.json["total"] == 1);
  CHECK(history.json["data"][0]["status"] == "failed");
  // The agent is not left busy.
  CHECK(world.agent.post("/api/v1/calls", {{"to", "+12125550001"}}).status == 201);
}

TEST_CASE("twilio faults: a 429 is waited out and sent again - a long one goes back to the caller",
          "[twilio][faults]") {
  TwilioWorld world;
  world.fake.inject({FakeTwilio::Fault::Kind::RateLimit, "POST", "/Calls.json", 429, 0, 0, 1});
  const std::string id = world.probe.dial("+12125550001");
  CHECK(world.fake.count("POST", "/Calls.json") == 2);
  CHECK(world.fake.callSidsTo("+12125550001").size() == 1);
  CHECK(world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);

  world.fake.inject({FakeTwilio::Fault::Kind::RateLimit, "POST", "/Calls.json", 429, 30, 0, 1});
  const auto limited = world.agent.post("/api/v1/calls", {{"to", "+12125550001"}});
  CHECK(limited.status == 429);
  CHECK(limited.json["error"]["code"] == "RATE_LIMITED");
  CHECK(limited.header("Retry-After") == "30");
}

TEST_CASE("twilio faults: a timed-out dial that Twilio placed anyway is hung up, not dialed again",
          "[twilio][faults]") {
  TwilioWorld world;
  world.fake.inject({FakeTwilio::Fault::Kind::Slow, "POST", "/Calls.json", 0, 0, 1500, 1});
  const auto dialed = world.agent.post("/api/v1/calls", {{"to", "+12125550001"}});
  CHECK(dialed.status == 503);
  CHECK(dialed.json["error"]["message"].get<std::string>().find("not retried") != std::string::npos);
  REQUIRE(world.fake.waitUntil([&] { return world.fake.callSidsTo("+12125550001").size() == 1; }));
  const std::string sid = world.fake.callSidsTo("+12125550001").front();
  // Its first callback tells the plugin the leg exists; the plugin hangs it up.
  REQUIRE(world.fake.waitUntil([&] {
    const auto status = world.fake.callStatus(sid);
    return status == "canceled" || status == "completed";
  }));
  CHECK(world.fake.count("POST", "/Calls.json") == 1);
  // The record stays what the caller was told, failed, with one result and
  // no talk time, even if the leg was answered before it was hung up; the
  // agent is free.
  const std::string id = world.agent.get("/api/v1/calls").json["data"][0]["id"];
  REQUIRE(world.probe.reaches(
      id, [](const nlohmann::json& c) { return c["ended_at"].is_string() && CallProbe::hasEvent(c, "call.failed"); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the leg's last callbacks
  const auto record = world.probe.call(id);
  INFO(record.dump());
  CHECK(record["status"] == "failed");
  CHECK(record["result"] == "failed");
  CHECK(record["talk_seconds"].is_null());
  CHECK(world.agent.post("/api/v1/calls", {{"to", "+12125550001"}}).status == 201);
}

TEST_CASE(
    "twilio faults: each lost answer to a dial Twilio carried out (timeout, 500, reset) dials once and leaves "
    "no contact waiting past the join timeout",
    "[twilio][faults]") {
  using Kind = FakeTwilio::Fault::Kind;
  const Kind kind = GENERATE(Kind::Slow, Kind::FailAfter, Kind::ResetAfter);
  INFO("fault " << static_cast<int>(kind));
  TwilioWorld world(std::map<std::string, std::string>{{"calls.agent_join_timeout_s", "2"}});
  world.fake.inject({kind, "POST", "/Calls.json", 500, 0, 1500, 1});
  const auto dialed = world.agent.post("/api/v1/calls", {{"to", "+12125550001"}});
  CHECK(dialed.status == 503);
  REQUIRE(world.fake.waitUntil([&] { return world.fake.callSidsTo("+12125550001").size() == 1; }));
  const std::string sid = world.fake.callSidsTo("+12125550001").front();
  // Hung up by the host once the leg's callbacks show it: well inside the
  // join timeout (2 s) after the leg could have answered (answer_after 0).
  const bool over = world.fake.waitUntil(
      [&] {
        const auto status = world.fake.callStatus(sid);
        return status == "canceled" || status == "completed";
      },
      std::chrono::milliseconds(2000 + 1500));
  INFO(world.fake.callStatus(sid).value_or("?"));
  CHECK(over);
  CHECK(world.fake.count("POST", "/Calls.json") == 1);  // never dialed twice
  const std::string id = world.agent.get("/api/v1/calls").json["data"][0]["id"];
  REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) { return c["ended_at"].is_string(); }));
  const auto record = world.probe.call(id);
  CHECK(record["status"] == "failed");
  CHECK(record["talk_seconds"].is_null());
}

TEST_CASE("twilio faults: a reset connection is a clear error and dials nothing", "[twilio][faults]") {
  TwilioWorld world;
  world.fake.inject({FakeTwilio::Fault::Kind::Reset, "POST", "/Calls.json", 0, 0, 0, 1});
  const auto dialed = world.agent.post("/api/v1/calls", {{"to", "+12125550001"}});
  CHECK(dialed.status == 503);
  CHECK(world.fake.callSidsTo("+12125550001").empty());
  CHECK(world.fake.count("POST", "/Calls.json") == 1);
}

TEST_CASE("twilio faults: an invalid number, a failing mute and a flaky fetch", "[twilio][faults]") {
  TwilioWorld world;
  const auto invalid = world.agent.post("/api/v1/calls", {{"to", "+12125550009"}});
  CHECK(invalid.status == 400);
  CHECK(invalid.json["error"]["code"] == "INVALID_PHONE_FORMAT");
  CHECK(invalid.json["error"]["details"]["provider_code"] == "21211");

  const std::string id = world.probe.dial("+12125550001");
  REQUIRE(world.join(id).joined);
  REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) { return c["legs"]["agent"]["state"] == "connected"; }));
  REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) { return c["conference_id"].is_string(); }));
  world.fake.inject({FakeTwilio::Fault::Kind::Status, "POST", "/Participants/", 503, 0, 0, 1});
  const auto muted = world.agent.post("/api/v1/calls/" + id + "/mute", {{"muted", true}});
  CHECK(muted.status == 503);
  CHECK(world.probe.call(id)["legs"]["agent"]["muted"] == false);  // nothing half-written

  // A GET is retried once after a 5xx: ending still works.
  world.fake.inject({FakeTwilio::Fault::Kind::Status, "GET", "/Calls/", 500, 0, 0, 1});
  const auto ended = world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object());
  CHECK(ended.status == 200);
  CHECK(ended.json["already_ended"] == false);
}

TEST_CASE("twilio: the admin board's five steps through the cold-call API", "[twilio][cold-call]") {
  TwilioWorld world;
  ApiClient admin{world.host.port(), world.host.adminKey};
  sb::test::EventStreamClient stream(world.host.port(), world.host.adminKey);
  const std::string prefix = "/api/v1/cold-call";
  // 1. initiate
  const auto initiated =
      admin.post(prefix + "/initiate", {{"to_phone", "+12125550001"}, {"provider", "twilio"}, {"agent_id", "rep-7"}});
  REQUIRE(initiated.status == 201);
  CHECK(initiated.json["provider"] == "twilio");
  CHECK(initiated.json["call_sid"].get<std::string>().rfind("CA", 0) == 0);  // Twilio's call SID
  const std::string conferenceSid = initiated.json["conference_sid"];

  // 2. webrtc-join: an Access Token for identity rep-7, and the browser connects
  const auto joined = admin.post(prefix + "/webrtc-join", {{"conference_id", conferenceSid}, {"client_id", "rep-7"}});
  REQUIRE(joined.status == 200);
  CHECK(joined.json["credential"]["identity"] == "rep-7");
  sb::sdk::encoding::FormFields params;
  for (const auto& [key, value] : joined.json["credential"]["sdk"]["params"].items()) params.emplace_back(key, value);
  const auto leg = world.fake.connectBrowser(joined.json["access_token"], params);
  REQUIRE(leg.joined);
  REQUIRE(eventually([&] { return admin.get(prefix + "/status/" + conferenceSid).json["participant_count"] == 2; }));

  // 3. mute the agent by the id webrtc-join gave, unmute it by Twilio's call
  // SID of the browser leg: one id on every surface
  sb::test::checkAgentNamedOnce(admin, stream, prefix, conferenceSid, joined.json["participant_sid"], leg.callSid);

  // 4. status, also by Twilio's conference SID
  const auto status = admin.get(prefix + "/status/" + conferenceSid);
  REQUIRE(status.status == 200);
  CHECK(status.json["status"] == "in-progress");
  const std::string twilioConference = status.json["provider_conference_id"];
  CHECK(twilioConference.rfind("CF", 0) == 0);
  CHECK(admin.get(prefix + "/status/" + twilioConference).json["conference_sid"] == conferenceSid);

  // 5. end
  const auto ended = admin.post(prefix + "/end", {{"conference_sid", conferenceSid}});
  REQUIRE(ended.status == 200);
  REQUIRE(eventually([&] { return admin.get(prefix + "/status/" + conferenceSid).json["status"] == "completed"; }));
}

TEST_CASE("twilio config: the auth token alone places calls - the browser leg then says what is missing", "[twilio]") {
  TwilioWorld world({{"provider.twilio.api_key_sid", ""},
                     {"provider.twilio.api_key_secret", ""},
                     {"provider.twilio.twiml_app_sid", ""}});
  const std::string id = world.probe.dial("+12125550001");
  CHECK(world.fake.count("POST", "/Calls.json") == 1);  // authenticated as the account (the fake checks)
  const auto joined = world.agent.post("/api/v1/calls/" + id + "/join", nlohmann::json::object());
  CHECK(joined.status == 400);
  CHECK(joined.json["error"]["message"].get<std::string>().find("api_key_sid") != std::string::npos);
  CHECK(world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);
}

TEST_CASE("twilio: an end that hung the contact up succeeds even if ending the conference fails", "[twilio][faults]") {
  TwilioWorld world;
  const std::string id = world.probe.dial("+12125550001");
  REQUIRE(world.join(id).joined);
  REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) {
    return c["status"] == "in-progress" && c["legs"]["agent"]["state"] == "connected" && c["conference_id"].is_string();
  }));
  const std::string contactLeg = world.probe.call(id)["provider_call_id"];
  world.fake.inject({FakeTwilio::Fault::Kind::Status, "POST", "/Conferences/", 503, 0, 0, 1});
  const auto ended = world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object());
  INFO(ended.body);
  CHECK(ended.status == 200);
  CHECK(world.fake.callStatus(contactLeg) == "completed");
  REQUIRE(world.probe.reaches(id, CallProbe::bridgeOver));
  CHECK(world.probe.call(id)["end_cause"] == "ended-by-agent");
}

TEST_CASE("twilio faults: an operation past plugins.operation_timeout_ms fails with the deadline named",
          "[twilio][faults]") {
  TwilioWorld world(std::map<std::string, std::string>{{"plugins.operation_timeout_ms", "1000"},
                                                       {"provider.twilio.http_timeout_ms", "5000"}});
  // Twilio answers the dial after 3 s: the host's HTTP for the operation
  // stops at its 1 s deadline, not at the plugin's 5 s timeout.
  world.fake.inject({FakeTwilio::Fault::Kind::Slow, "POST", "/Calls.json", 0, 0, 3000, 1});
  const auto dialed = world.agent.post("/api/v1/calls", {{"to", "+12125550001"}});
  CHECK(dialed.status == 503);
  CHECK(dialed.json["error"]["code"] == "PROVIDER_ERROR");
  const std::string message = dialed.json["error"]["message"];
  CHECK(message.find("plugins.operation_timeout_ms") != std::string::npos);
  // Twilio placed it after all: its first callback names the leg, which is
  // hung up; and the agent is free again for the next call.
  REQUIRE(world.fake.waitUntil([&] { return world.fake.callSidsTo("+12125550001").size() == 1; }));
  const std::string sid = world.fake.callSidsTo("+12125550001").front();
  REQUIRE(world.fake.waitUntil([&] {
    const auto status = world.fake.callStatus(sid);
    return status == "canceled" || status == "completed";
  }));
  CHECK(world.agent.post("/api/v1/calls", {{"to", "+12125550002"}}).status == 201);
}

// The whole loop with the Telnyx plugin against the fake Telnyx: host +
// plugin + a local Telnyx that checks every request against the official
// description and posts Ed25519-signed v2 webhooks. The browser leg is what
// @telnyx/webrtc does with the host's login token and client_state.
#include "support/ApiClient.h"
#include "support/CallProbe.h"
#include "support/HttpCall.h"
#include "support/ParticipantIds.h"
#include "support/ProviderWorld.h"
#include "support/TestHost.h"
#include "support/fakes/FakeTelnyx.h"

#include <catch2/catch.hpp>

using sb::test::ApiClient;
using sb::test::CallProbe;
using sb::test::eventually;
using sb::test::FakeTelnyx;

namespace {

sb::test::FakeTelnyxOptions telnyxOptions() {
  sb::test::FakeTelnyxOptions options;
  options.outcomes = CallProbe::loopOutcomes();
  return options;
}

struct TelnyxWorld {
  FakeTelnyx fake;
  sb::test::TestHost host;
  ApiClient agent{host.port(), host.agentKey};
  sb::test::CallProbe probe{agent};

  explicit TelnyxWorld(std::map<std::string, std::string> extra = {},
                       sb::test::FakeTelnyxOptions options = telnyxOptions())
      : fake(std::move(options)), host(sb::test::hostConfigFor(fake, std::move(extra))) {
    const std::string hooks = "http://127.0.0.1:" + std::to_string(host.port()) + "/webhooks/telnyx/events";
    fake.setWebhookUrls(hooks, hooks);
  }
  ~TelnyxWorld() {
    for (const auto& violation : fake.violations()) UNSCOPED_INFO("fake Telnyx: " << violation);
    CHECK(fake.violations().empty());  // every request valid against the official description
  }

  nlohmann::json credential(const std::string& id) {
    const auto joined = agent.post("/api/v1/calls/" + id + "/join", nlohmann::json::object());
    INFO(joined.body);
    REQUIRE(joined.status == 200);
    REQUIRE(joined.json["credential"]["kind"] == "telnyx.login_token");
    return joined.json["credential"];
  }
  /// webrtc-join, then the page's TelnyxRTC logs in and places its call.
  FakeTelnyx::BrowserLeg join(const std::string& id) {
    const auto c = credential(id);
    return fake.connectBrowser(c["token"], c["sdk"]["client_state"], c["sdk"]["destination"]);
  }
  /// Dials `to`, joins the browser and waits until both legs are bridged.
  std::pair<std::string, FakeTelnyx::BrowserLeg> bridged(const std::string& to) {
    const std::string id = probe.dial(to);
    const auto leg = join(id);
    REQUIRE(leg.error.empty());
    REQUIRE(probe.reaches(id, [](const nlohmann::json& c) {
      return c["status"] == "in-progress" && c["legs"]["agent"]["state"] == "connected" &&
             c["conference_id"].is_string();
    }));
    return {id, leg};
  }
};

}  // namespace

TEST_CASE("telnyx loop: answered - the browser joins, mutes, holds, ends - outcome and history",
          "[telnyx][call-loop]") {
  TelnyxWorld world;
  const auto call = world.bridged("+12125550001");
  const std::string& id = call.first;
  const FakeTelnyx::BrowserLeg& leg = call.second;
  const std::string name = world.probe.call(id)["conference_name"];
  REQUIRE(world.fake.waitUntil([&] { return world.fake.conferenceStatus(name) == "in_progress"; }));

  const auto muted = world.agent.post("/api/v1/calls/" + id + "/mute", {{"muted", true}});
  REQUIRE(muted.status == 200);
  CHECK(muted.json["legs"]["agent"]["muted"] == true);
  CHECK(world.fake.participantMuted(name, leg.callControlId));
  const auto held = world.agent.post("/api/v1/calls/" + id + "/hold", {{"held", true}});
  REQUIRE(held.status == 200);
  CHECK(held.json["legs"]["contact"]["held"] == true);
  const std::string contactLeg = world.probe.call(id)["provider_call_id"];
  CHECK(world.fake.participantHeld(name, contactLeg));

  const auto ended = world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object());
  REQUIRE(ended.status == 200);
  CHECK(ended.json["already_ended"] == false);
  REQUIRE(world.fake.waitUntil([&] { return world.fake.conferenceStatus(name) == "completed"; }));
  CHECK(world.fake.legState(leg.callControlId) == "hangup");
  REQUIRE(world.probe.reaches(id, CallProbe::bridgeOver));
  const auto again = world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object());
  CHECK(again.status == 200);
  CHECK(again.json["already_ended"] == true);

  REQUIRE(world.agent.patch("/api/v1/calls/" + id, {{"outcome", "meeting_booked"}, {"notes", "via Telnyx"}}).status ==
          200);
  const auto detail = world.probe.call(id);
  CHECK(detail["result"] == "answered");
  // The agent ended it, whichever write landed first: the host's or the
  // provider's hang-up webhook.
  CHECK(detail["end_cause"] == "ended-by-agent");
  // (Telnyx sends no mute or hold webhooks: the commands' answers are the record.)
  for (const char* type : {"leg.initiated", "leg.answered", "agent.joined", "conference.started", "control.mute",
                           "control.hold", "call.end_requested", "leg.ended", "conference.ended"}) {
    INFO(type);
    CHECK(CallProbe::hasEvent(detail, type));
  }
  CHECK(world.fake.rejectedWebhooks().empty());
}

TEST_CASE("telnyx loop: the contact hangs up - the conference ends and the agent is free", "[telnyx][call-loop]") {
  TelnyxWorld world;
  const std::string id = world.probe.dial("+12125550005");
  REQUIRE(world.join(id).error.empty());
  REQUIRE(world.probe.reaches(id, CallProbe::bridgeOver));
  CHECK(world.probe.call(id)["end_cause"] == "completed");
  const std::string next = world.probe.dial("+12125550001");
  CHECK(world.agent.post("/api/v1/calls/" + next + "/end", nlohmann::json::object()).status == 200);
}

TEST_CASE("telnyx loop: busy, no-answer and failed end on their own with their result", "[telnyx][call-loop]") {
  TelnyxWorld world;
  for (const auto& [phone, result] : std::vector<std::pair<std::string, std::string>>{
           {"+12125550002", "busy"}, {"+12125550003", "no-answer"}, {"+12125550004", "failed"}}) {
    INFO(result);
    const std::string id = world.probe.dial(phone);
    REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) { return c["ended_at"].is_string(); }));
    CHECK(world.probe.call(id)["result"] == result);
  }
}

TEST_CASE("telnyx loop: duplicated and reordered webhooks give the same call", "[telnyx][call-loop]") {
  TelnyxWorld world;
  world.fake.setDuplicateWebhooks(true);
  world.fake.setReorderWindowMs(50);
  const std::string id = world.probe.dial("+12125550005");
  REQUIRE(world.join(id).error.empty());
  REQUIRE(world.probe.reaches(id, CallProbe::bridgeOver));
  CHECK(world.probe.call(id)["result"] == "answered");
  std::map<std::string, int> seen;
  const auto call = world.probe.call(id);
  for (const auto& event : call["timeline"]) {
    if (event["source"] == "telnyx") ++seen[event["event_key"].get<std::string>()];
  }
  CHECK(seen.size() >= 5);
  for (const auto& [key, times] : seen) {
    INFO(key);
    CHECK(times == 1);
  }
  // Redelivered webhooks did not build a second conference or join a leg twice.
  CHECK(world.fake.conferencesNamed(world.probe.call(id)["conference_name"]) == 1);
}

TEST_CASE("telnyx webhooks: forged, altered and stale deliveries get 403 - a redelivery changes nothing",
          "[telnyx][webhooks]") {
  TelnyxWorld world;
  const std::string id = world.probe.dial("+12125550003");
  REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) { return c["ended_at"].is_string(); }));
  const nlohmann::json envelope = {{"data",
                                    {{"record_type", "event"},
                                     {"event_type", "call.answered"},
                                     {"id", "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0"},
                                     {"occurred_at", "2026-12-01T10:00:00.000000Z"},
                                     {"payload", {{"call_control_id", "v3:late"}, {"client_state", nullptr}}}}}};
  const std::string body = envelope.dump();
  const auto now = std::to_string(std::time(nullptr));
  auto send = [&](const std::string& timestamp, const std::string& signature, const std::string& payload) {
    return sb::test::httpCall(world.host.port(), "POST", "/webhooks/telnyx/events",
                              {{"Content-Type", "application/json"},
                               {"telnyx-timestamp", timestamp},
                               {"telnyx-signature-ed25519", signature}},
                              payload);
  };
  const std::string good = FakeTelnyx::sign(world.fake.options().seedHex, now, body);
  CHECK(send(now, "", body).status == 403);
  CHECK(send(now, FakeTelnyx::sign(std::string(64, '7'), now, body), body).status == 403);  // another key
  CHECK(send(now, good, body + " ").status == 403);                                         // altered
  const auto stale = std::to_string(std::time(nullptr) - 301);
  CHECK(send(stale, FakeTelnyx::sign(world.fake.options().seedHex, stale, body), body).status == 403);
  CHECK(send(now, good, body).status == 200);
  CHECK(send(now, good, body).status == 200);  // redelivered within the window: harmless
  CHECK(world.probe.call(id)["status"] == "no-answer");
}

TEST_CASE("telnyx browser leg: a forged client_state is hung up, not bridged", "[telnyx][webhooks]") {
  TelnyxWorld world;
  const std::string id = world.probe.dial("+12125550001");
  const auto c = world.credential(id);
  const std::string forged =
      sb::sdk::encoding::base64Encode(R"({"c":")" + id + R"(","l":"agent","e":9999999999,"m":"00"})");
  const auto leg = world.fake.connectBrowser(c["token"], forged, c["sdk"]["destination"]);
  REQUIRE(leg.error.empty());
  REQUIRE(world.fake.waitUntil([&] { return world.fake.legState(leg.callControlId) == "hangup"; }));
  CHECK(world.probe.call(id)["legs"]["agent"]["state"] != "connected");
  // A token Telnyx never issued does not log in at all.
  CHECK_FALSE(world.fake.connectBrowser("not.a.token", c["sdk"]["client_state"], "x").error.empty());
  CHECK(world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);
}

TEST_CASE("telnyx browser leg: it dials a destination Telnyx accepts, the call's own caller ID, never the contact",
          "[telnyx][call-loop]") {
  TelnyxWorld world;
  const std::string id = world.probe.dial("+12125550001");
  const auto c = world.credential(id);
  CHECK(c["sdk"]["destination"] == "+12125559000");  // calls.caller_ids: +E.164, ours
  CHECK(c["sdk"]["destination"] == world.probe.call(id)["from"]);
  // Telnyx refuses a destination that is neither +E.164 nor a SIP URI, like
  // the bare conference name the page used to dial: no agent could join.
  const auto refused = world.fake.connectBrowser(c["token"], c["sdk"]["client_state"], c["sdk"]["conference_name"]);
  CHECK_FALSE(refused.error.empty());
  CHECK(world.fake.browserDestinations().empty());
  const auto leg = world.fake.connectBrowser(c["token"], c["sdk"]["client_state"], c["sdk"]["destination"]);
  REQUIRE(leg.error.empty());
  REQUIRE(world.probe.reaches(
      id, [](const nlohmann::json& call) { return call["legs"]["agent"]["state"] == "connected"; }));
  CHECK(world.fake.browserDestinations() == std::vector<std::string>{"+12125559000"});
  CHECK(world.fake.legsTo("+12125550001").size() == 1);  // the contact was dialed once
  CHECK(world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);
}

TEST_CASE("telnyx faults: a lost dial answer is resent with the same command_id and dials once", "[telnyx][faults]") {
  TelnyxWorld world;
  world.fake.inject({FakeTelnyx::Fault::Kind::Status, "POST", "/v2/calls$", 503, 0, 0, 1});
  const std::string first = world.probe.dial("+12125550001");
  CHECK(world.fake.count("POST", "/v2/calls") == 2);
  CHECK(world.fake.legsTo("+12125550001").size() == 1);
  CHECK(world.agent.post("/api/v1/calls/" + first + "/end", nlohmann::json::object()).status == 200);

  // Carried out, answer lost (timeout): the resend is ignored by Telnyx.
  world.fake.inject({FakeTelnyx::Fault::Kind::Slow, "POST", "/v2/calls$", 0, 0, 1500, 1});
  const std::string second = world.probe.dial("+12125550006");
  CHECK(world.fake.legsTo("+12125550006").size() == 1);
  CHECK(world.agent.post("/api/v1/calls/" + second + "/end", nlohmann::json::object()).status == 200);

  world.fake.inject({FakeTelnyx::Fault::Kind::Status, "POST", "/v2/calls$", 500, 0, 0, 2});
  const auto failed = world.agent.post("/api/v1/calls", {{"to", "+12125550007"}});
  CHECK(failed.status == 503);
  CHECK(failed.json["error"]["code"] == "PROVIDER_ERROR");
  CHECK(world.fake.legsTo("+12125550007").empty());
}

TEST_CASE("telnyx faults: 429, a reset, an invalid number, a command before answer", "[telnyx][faults]") {
  TelnyxWorld world;
  world.fake.inject({FakeTelnyx::Fault::Kind::RateLimit, "POST", "/v2/calls$", 429, 0, 0, 1});
  const std::string id = world.probe.dial("+12125550001");
  CHECK(world.fake.legsTo("+12125550001").size() == 1);
  // Mute before anyone is in the bridge: Telnyx would answer 90034; the
  // plugin knows there is no conference yet and says so.
  const auto early = world.agent.post("/api/v1/calls/" + id + "/mute", {{"muted", true}});
  CHECK(early.status == 404);
  CHECK(world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);

  world.fake.inject({FakeTelnyx::Fault::Kind::RateLimit, "POST", "/v2/calls$", 429, 30, 0, 1});
  const auto limited = world.agent.post("/api/v1/calls", {{"to", "+12125550001"}});
  CHECK(limited.status == 429);
  CHECK(limited.header("Retry-After") == "30");

  world.fake.inject({FakeTelnyx::Fault::Kind::Reset, "POST", "/v2/calls$", 0, 0, 0, 2});
  CHECK(world.agent.post("/api/v1/calls", {{"to", "+12125550008"}}).status == 503);
  CHECK(world.fake.legsTo("+12125550008").empty());

  const auto invalid = world.agent.post("/api/v1/calls", {{"to", "+12125550009"}});
  CHECK(invalid.status == 400);
  CHECK(invalid.json["error"]["code"] == "INVALID_PHONE_FORMAT");
  CHECK(invalid.json["error"]["details"]["provider_code"] == "10016");
}

TEST_CASE(
    "telnyx faults: a mute whose answers were both lost is read back from the conference, and recorded as "
    "Telnyx says",
    "[telnyx][faults]") {
  using Kind = FakeTelnyx::Fault::Kind;
  TelnyxWorld world;
  const auto call = world.bridged("+12125550001");
  const std::string& id = call.first;
  const FakeTelnyx::BrowserLeg& leg = call.second;
  const std::string name = world.probe.call(id)["conference_name"];
  const auto mute = [&](bool muted) { return world.agent.post("/api/v1/calls/" + id + "/mute", {{"muted", muted}}); };

  // Carried out, both answers lost (the command and its resend): Telnyx
  // sends no webhook for mute, so only reading the conference can tell.
  for (const Kind kind : {Kind::Slow, Kind::FailAfter, Kind::ResetAfter}) {
    INFO("fault " << static_cast<int>(kind));
    world.fake.inject({kind, "POST", "/actions/mute", 500, 0, 1500, 2});
    const auto muted = mute(true);
    INFO(muted.body);
    CHECK(muted.status == 200);
    CHECK(world.fake.participantMuted(name, leg.callControlId));
    CHECK(world.probe.call(id)["legs"]["agent"]["muted"] == true);  // what Telnyx says
    REQUIRE(mute(false).status == 200);
    REQUIRE_FALSE(world.fake.participantMuted(name, leg.callControlId));
  }

  // Not carried out (refused twice): the conference says so, the caller gets
  // the error, and the record still agrees with Telnyx.
  world.fake.inject({Kind::Status, "POST", "/actions/mute", 503, 0, 0, 2});
  const auto refused = mute(true);
  CHECK(refused.status == 503);
  CHECK_FALSE(world.fake.participantMuted(name, leg.callControlId));
  CHECK(world.probe.call(id)["legs"]["agent"]["muted"] == false);
  CHECK(world.fake.count("GET", "/participants") == 4);  // one read-back per lost mute
  CHECK(world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);
}

TEST_CASE("telnyx: the admin board's five steps through the cold-call API", "[telnyx][cold-call]") {
  TelnyxWorld world;
  ApiClient admin{world.host.port(), world.host.adminKey};
  sb::test::EventStreamClient stream(world.host.port(), world.host.adminKey);
  const std::string prefix = "/api/v1/cold-call";
  const auto initiated =
      admin.post(prefix + "/initiate", {{"to_phone", "+12125550001"}, {"provider", "telnyx"}, {"agent_id", "rep-9"}});
  REQUIRE(initiated.status == 201);
  CHECK(initiated.json["provider"] == "telnyx");
  const std::string conferenceSid = initiated.json["conference_sid"];

  const auto joined = admin.post(prefix + "/webrtc-join", {{"conference_id", conferenceSid}, {"client_id", "rep-9"}});
  REQUIRE(joined.status == 200);
  const auto& credential = joined.json["credential"];
  CHECK(credential["kind"] == "telnyx.login_token");
  CHECK(joined.json["access_token"] == credential["token"]);  // a JWT, never a SIP password
  const auto leg = world.fake.connectBrowser(credential["token"], credential["sdk"]["client_state"],
                                             credential["sdk"]["destination"]);
  REQUIRE(leg.error.empty());
  REQUIRE(eventually([&] { return admin.get(prefix + "/status/" + conferenceSid).json["participant_count"] == 2; }));

  // Muted by the id webrtc-join gave, unmuted by Telnyx's call_control_id of
  // the browser leg: one id on every surface.
  sb::test::checkAgentNamedOnce(admin, stream, prefix, conferenceSid, joined.json["participant_sid"],
                                leg.callControlId);

  const auto status = admin.get(prefix + "/status/" + conferenceSid);
  REQUIRE(status.status == 200);
  CHECK(status.json["status"] == "in-progress");
  const std::string telnyxConference = status.json["provider_conference_id"];
  CHECK(admin.get(prefix + "/status/" + telnyxConference).json["conference_sid"] == conferenceSid);

  REQUIRE(admin.post(prefix + "/end", {{"conference_sid", conferenceSid}}).status == 200);
  REQUIRE(eventually([&] { return admin.get(prefix + "/status/" + conferenceSid).json["status"] == "completed"; }));
}

TEST_CASE("telnyx faults: a command before answer (90034) is carried out when Telnyx redelivers the webhook",
          "[telnyx][faults]") {
  TelnyxWorld world;
  world.fake.setEarlyAnswerMs(150);
  world.fake.setWebhookDelayMs(30);
  const std::string id = world.bridged("+12125550001").first;
  CHECK(world.fake.notAnsweredRefusals() >= 1);  // the first attempt did meet 90034
  const std::string name = world.probe.call(id)["conference_name"];
  REQUIRE(world.fake.waitUntil([&] { return world.fake.participantsOf(name) == 2; }));
  CHECK(world.fake.conferencesNamed(name) == 1);
  CHECK(world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);
}

TEST_CASE("telnyx browser leg: an expired client_state cannot start a leg", "[telnyx][webhooks]") {
  TelnyxWorld world(std::map<std::string, std::string>{{"calls.credential_ttl_s", "1"}});
  const std::string id = world.probe.dial("+12125550001");
  const auto c = world.credential(id);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  const auto leg = world.fake.connectBrowser(c["token"], c["sdk"]["client_state"], c["sdk"]["destination"]);
  REQUIRE(leg.error.empty());
  REQUIRE(world.fake.waitUntil([&] { return world.fake.legState(leg.callControlId) == "hangup"; }));
  CHECK(world.probe.call(id)["legs"]["agent"]["state"] != "connected");
  CHECK(world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);
}

TEST_CASE("telnyx: an end that hung the contact up succeeds even if ending the conference fails", "[telnyx][faults]") {
  TelnyxWorld world;
  const std::string id = world.bridged("+12125550001").first;
  const std::string contactLeg = world.probe.call(id)["provider_call_id"];
  world.fake.inject({FakeTelnyx::Fault::Kind::Status, "POST", "/actions/end", 503, 0, 0, 10});
  const auto ended = world.agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object());
  INFO(ended.body);
  CHECK(ended.status == 200);
  CHECK(world.fake.legState(contactLeg) == "hangup");
  REQUIRE(world.probe.reaches(id, CallProbe::bridgeOver));
  CHECK(world.probe.call(id)["end_cause"] == "ended-by-agent");
}

TEST_CASE("telnyx: talk time counts from the contact's answer, not from the dial", "[telnyx][call-loop]") {
  // Rings 1.5 s, then talks 0.4 s: from the dial that would be 1 s or more.
  auto options = telnyxOptions();
  options.answerMs = 1500;
  TelnyxWorld world({}, options);
  const std::string id = world.probe.dial("+12125550005");
  REQUIRE(world.join(id).error.empty());
  REQUIRE(world.probe.reaches(id, CallProbe::bridgeOver));
  const auto call = world.probe.call(id);
  INFO(call.dump());
  CHECK(call["result"] == "answered");
  CHECK(call["talk_seconds"] == 0);
}

TEST_CASE(
    "telnyx faults: each lost answer to a dial Telnyx carried out (timeout, 500, reset, twice) dials once and "
    "leaves no contact waiting past the join timeout",
    "[telnyx][faults]") {
  using Kind = FakeTelnyx::Fault::Kind;
  const Kind kind = GENERATE(Kind::Slow, Kind::FailAfter, Kind::ResetAfter);
  INFO("fault " << static_cast<int>(kind));
  TelnyxWorld world(std::map<std::string, std::string>{{"calls.agent_join_timeout_s", "2"}});
  // Both the dial and its resend (same command_id) lose their answers.
  world.fake.inject({kind, "POST", "/v2/calls$", 500, 0, 1500, 2});
  const auto dialed = world.agent.post("/api/v1/calls", {{"to", "+12125550001"}});
  CHECK(dialed.status == 503);
  REQUIRE(world.fake.waitUntil([&] { return world.fake.legsTo("+12125550001").size() == 1; }));
  const std::string leg = world.fake.legsTo("+12125550001").front();
  const bool over = world.fake.waitUntil([&] { return world.fake.legState(leg) == "hangup"; },
                                         std::chrono::milliseconds(2000 + 1500));
  INFO(world.fake.legState(leg).value_or("?"));
  CHECK(over);
  CHECK(world.fake.legsTo("+12125550001").size() == 1);  // never dialed twice
  const std::string id = world.agent.get("/api/v1/calls").json["data"][0]["id"];
  REQUIRE(world.probe.reaches(id, [](const nlohmann::json& c) { return c["ended_at"].is_string(); }));
  const auto record = world.probe.call(id);
  CHECK(record["status"] == "failed");
  CHECK(record["talk_seconds"].is_null());
}

TEST_CASE("telnyx faults: a dial whose answers were all lost is hung up when its leg shows up, and stays failed",
          "[telnyx][faults]") {
  TelnyxWorld world;
  // Carried out twice over (the resend has the same command_id, so Telnyx
  // dials once), both answers lost: the API says 503 and the record failed.
  world.fake.inject({FakeTelnyx::Fault::Kind::Slow, "POST", "/v2/calls$", 0, 0, 1500, 2});
  const auto failed = world.agent.post("/api/v1/calls", {{"to", "+12125550001"}});
  CHECK(failed.status == 503);
  REQUIRE(world.fake.waitUntil([&] { return world.fake.legsTo("+12125550001").size() == 1; }));
  const std::string leg = world.fake.legsTo("+12125550001").front();
  // The contact's leg answers into a call that is over: the host hangs it up.
  const bool hungUp = world.fake.waitUntil([&] { return world.fake.legState(leg) == "hangup"; });
  INFO(world.fake.legState(leg).value_or("?") << " " << world.agent.get("/api/v1/calls").body);
  REQUIRE(hungUp);
  const auto history = world.agent.get("/api/v1/calls");
  REQUIRE(history.json["total"] == 1);
  const auto call = history.json["data"][0];
  INFO(call.dump());
  CHECK(call["status"] == "failed");
  CHECK(call["result"] == "failed");
  CHECK(call["talk_seconds"].is_null());
  // The agent is free.
  const std::string next = world.probe.dial("+12125550006");
  CHECK(world.agent.post("/api/v1/calls/" + next + "/end", nlohmann::json::object()).status == 200);
}

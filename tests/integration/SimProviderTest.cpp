// The sim provider end to end through the real loader: each scenario
// produces the canonical event sequence, delivered as signed webhooks over
// HTTP (to a capture server standing in for the host) and read back through
// the plugin's own on_webhook.
#include "support/CaptureServer.h"
#include "support/JsonSchema.h"

#include <switchboard/core/net/HttpClient.h>
#include <switchboard/core/plugin/PluginLoader.h>
#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/plugin/ProviderProxy.h>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

namespace {

struct SimHarness {
  sb::test::CaptureServer hostStandIn;
  std::unique_ptr<sb::core::ProviderProxy> sim;

  explicit SimHarness(nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json config = {
        {"webhook_base_url", hostStandIn.baseUrl() + "/webhooks/sim"},
        {"ring_after_ms", "20"},
        {"answer_after_ms", "40"},
        {"reject_after_ms", "30"},
        {"no_answer_after_ms", "60"},
        {"agent_join_after_ms", "10"},
        {"results", {{"0002", "busy"}, {"0003", "no-answer"}, {"0004", "failed"}, {"0005", "hangup:0.1"}}}};
    config.update(extra);
    sim = std::make_unique<sb::core::ProviderProxy>(sb::core::PluginLoader::load(SB_SIM_PLUGIN_DIR), config,
                                                    std::make_shared<sb::core::HttpClient>());
  }

  sb::sdk::StartCallResult dial(const std::string& callId, const std::string& to) {
    sb::sdk::StartCallRequest request;
    request.callId = callId;
    request.agentId = "agent-1";
    request.to = to;
    request.from = "+15550001000";
    request.conferenceName = "sb_" + callId;
    return sim->startCall(request);
  }

  /// Every delivered webhook, verified and translated by the plugin.
  std::vector<sb::sdk::CallEvent> events(size_t atLeast) {
    std::vector<sb::sdk::CallEvent> out;
    const auto schema = sb::test::loadSchema("call_event");
    for (auto request : hostStandIn.waitFor(atLeast, 5s)) {
      request.url = hostStandIn.baseUrl() + request.path;
      const auto outcome = sim->onWebhook(request);
      CHECK(outcome.reply.status == 200);
      for (const auto& event : outcome.events) {
        INFO(event.dump());
        CHECK(sb::test::validate(schema, event).empty());
        out.push_back(sb::sdk::CallEvent::fromJson(event));
      }
    }
    return out;
  }

  static std::vector<std::string> types(const std::vector<sb::sdk::CallEvent>& events) {
    std::vector<std::string> out;
    for (const auto& event : events) out.push_back(event.type);
    return out;
  }
};

}  // namespace

TEST_CASE("sim: an answered call, joined by the agent, muted, then ended by the agent", "[sim]") {
  SimHarness harness;
  const auto started = harness.dial("call-1", "+15551230001");
  CHECK(started.status == "initiated");
  CHECK_FALSE(started.providerCallId.empty());

  auto events = harness.events(3);  // ringing, answered, conference.started
  REQUIRE(SimHarness::types(events) == std::vector<std::string>{"leg.ringing", "leg.answered", "conference.started"});
  CHECK(events[0].callId == "call-1");
  CHECK(events[0].leg == "contact");
  CHECK(events[0].eventKey.rfind("sim:", 0) == 0);

  sb::sdk::ClientCredentialRequest credential;
  credential.callId = "call-1";
  credential.agentId = "agent-1";
  credential.sessionId = "opaque-session";
  const auto issued = harness.sim->issueClientCredential(credential);
  CHECK(issued.kind == "sim");
  CHECK(issued.identity == "agent-1");
  events = harness.events(4);
  REQUIRE(events.size() == 4);
  CHECK(events[3].type == "agent.joined");

  sb::sdk::ParticipantUpdateRequest mute;
  mute.call.callId = "call-1";
  mute.leg = "agent";
  mute.muted = true;
  const auto leg = harness.sim->updateParticipant(mute);
  CHECK(leg.muted);
  sb::sdk::ParticipantUpdateRequest hold;
  hold.call.callId = "call-1";
  hold.leg = "contact";
  hold.held = true;
  CHECK(harness.sim->updateParticipant(hold).held);

  sb::sdk::CallRef ref;
  ref.callId = "call-1";
  const auto status = harness.sim->callStatus(ref);
  CHECK(status.status == "in-progress");
  REQUIRE(status.legs.size() == 2);
  CHECK(status.legs[1].muted);

  const auto ended = harness.sim->endCall(ref);
  CHECK(ended.ended);
  CHECK_FALSE(ended.alreadyEnded);
  events = harness.events(9);
  REQUIRE(SimHarness::types(events) == std::vector<std::string>{"leg.ringing", "leg.answered", "conference.started",
                                                                "agent.joined", "participant.muted", "participant.held",
                                                                "leg.ended", "agent.left", "conference.ended"});
  CHECK(events[6].cause == "completed");
  CHECK(events[6].durationS.has_value());
  // Ending again succeeds and says so (end is idempotent).
  CHECK(harness.sim->endCall(ref).alreadyEnded);
}

TEST_CASE("sim: busy, no-answer and failed numbers end the contact leg with that cause", "[sim]") {
  SimHarness harness;
  harness.dial("busy", "+15551230002");
  harness.dial("noans", "+15551230003");
  harness.dial("fail", "+15551230004");
  const auto events = harness.events(6);
  std::map<std::string, std::string> causes;
  for (const auto& event : events) {
    if (event.type == "leg.ended") causes[event.callId] = event.cause;
  }
  CHECK(causes == std::map<std::string, std::string>{{"busy", "busy"}, {"noans", "no-answer"}, {"fail", "failed"}});
  sb::sdk::CallRef ref;
  ref.callId = "busy";
  CHECK(harness.sim->callStatus(ref).status == "busy");
}

TEST_CASE("sim: the contact hangs up after N seconds and the bridge ends", "[sim]") {
  SimHarness harness;
  harness.dial("hangup", "+15551230005");
  const auto events = harness.events(5);
  REQUIRE(SimHarness::types(events) == std::vector<std::string>{"leg.ringing", "leg.answered", "conference.started",
                                                                "leg.ended", "conference.ended"});
  CHECK(events[3].cause == "completed");
}

TEST_CASE("sim: the agent ending a ringing call cancels it", "[sim]") {
  SimHarness harness(nlohmann::json{{"ring_after_ms", "0"}, {"answer_after_ms", "10000"}});
  harness.dial("early", "+15551230001");
  harness.events(1);
  sb::sdk::CallRef ref;
  ref.callId = "early";
  harness.sim->endCall(ref);
  const auto events = harness.events(2);
  REQUIRE(events.size() == 2);
  CHECK(events[1].type == "leg.ended");
  CHECK(events[1].cause == "canceled");
}

TEST_CASE("sim: forged, altered, stale and replayed-elsewhere webhooks are refused", "[sim]") {
  SimHarness harness;
  harness.dial("sig", "+15551230001");
  auto request = harness.hostStandIn.waitFor(1, 5s).at(0);
  request.url = harness.hostStandIn.baseUrl() + request.path;
  REQUIRE_NOTHROW(harness.sim->onWebhook(request));

  auto expectRefused = [&](sb::sdk::HttpRequest forged) {
    try {
      harness.sim->onWebhook(forged);
      FAIL("webhook was accepted");
    } catch (const sb::core::ProviderError& e) {
      CHECK(e.status() == sb::sdk::Status::Unauthenticated);
    }
  };
  auto altered = request;
  altered.body[altered.body.size() / 2] ^= 1;
  expectRefused(altered);

  auto otherUrl = request;
  otherUrl.url = harness.hostStandIn.baseUrl() + "/webhooks/sim/other";
  expectRefused(otherUrl);

  auto unsigned_ = request;
  unsigned_.headers.clear();
  expectRefused(unsigned_);

  auto stale = request;
  for (auto& [name, value] : stale.headers) {
    if (sb::sdk::equalsIgnoreCase(name, "X-Sim-Timestamp")) value = std::to_string(std::stoll(value) - 301);
  }
  expectRefused(stale);
}

TEST_CASE("sim: bad configuration is refused at create with the key named", "[sim]") {
  try {
    SimHarness harness(nlohmann::json{{"results", {{"0009", "sometimes"}}}});
    FAIL("created");
  } catch (const sb::core::ProviderError& e) {
    CHECK(e.status() == sb::sdk::Status::InvalidArgument);
    CHECK_THAT(e.what(), Catch::Matchers::Contains("results.0009"));
  }
}

TEST_CASE("sim: operations on unknown calls say not found", "[sim]") {
  SimHarness harness;
  sb::sdk::CallRef ref;
  ref.callId = "nope";
  try {
    harness.sim->callStatus(ref);
    FAIL("no error");
  } catch (const sb::core::ProviderError& e) {
    CHECK(e.status() == sb::sdk::Status::NotFound);
    CHECK(e.provider() == "sim");
  }
}

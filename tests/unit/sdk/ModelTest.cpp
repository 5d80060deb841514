// The typed model and the JSON documents of sdk/schema/ agree: what toJson
// writes validates, and fromJson rejects what the schema rejects.
#include "support/JsonSchema.h"

#include <switchboard/sdk/capabilities.hpp>
#include <switchboard/sdk/model.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

using namespace sb::sdk;
using sb::test::loadSchema;
using sb::test::validate;

TEST_CASE("model documents validate against their schemas and round-trip", "[model]") {
  StartCallRequest start;
  start.callId = "c1";
  start.agentId = "a1";
  start.to = "+15551234567";
  start.from = "+15550000000";
  start.conferenceName = "sb_c1";
  CHECK(validate(loadSchema("call.start.request"), start.toJson()).empty());
  CHECK(StartCallRequest::fromJson(start.toJson()).toJson() == start.toJson());

  CallEvent event;
  event.eventKey = "sim:1";
  event.type = event::kLegEnded;
  event.callId = "c1";
  event.leg = leg::kContact;
  event.cause = "busy";
  event.occurredAtMs = 1;
  event.durationS = 0;
  CHECK(validate(loadSchema("call_event"), event.toJson()).empty());
  CHECK(CallEvent::fromJson(event.toJson()).toJson() == event.toJson());

  CallStatus status;
  status.status = "in-progress";
  status.legs.push_back({leg::kAgent, "A1", "connected", true, false});
  CHECK(validate(loadSchema("call.status.result"), status.toJson()).empty());
  CHECK(CallStatus::fromJson(status.toJson()).toJson() == status.toJson());

  ClientCredential credential{"sim", "tok", "a1", 10, nlohmann::json::object()};
  CHECK(validate(loadSchema("client_credential.issue.result"), credential.toJson()).empty());
}

TEST_CASE("malformed requests name the field", "[model]") {
  CHECK_THROWS_WITH(StartCallRequest::fromJson({{"call_id", "c"}}),
                    Catch::Matchers::Contains("field 'to' must be a non-empty string"));
  CHECK_THROWS_WITH(ParticipantUpdateRequest::fromJson({{"call_id", "c"}, {"leg", "agent"}}),
                    Catch::Matchers::Contains("needs 'muted' or 'held'"));
  CHECK_THROWS_WITH(ParticipantUpdateRequest::fromJson({{"call_id", "c"}, {"leg", "agent"}, {"muted", "yes"}}),
                    Catch::Matchers::Contains("'muted' must be true or false"));
  CHECK(validate(loadSchema("call.start.request"), {{"call_id", "c"}, {"to", "5551234"}, {"conference_name", "x"}})
            .size() == 1);
}

TEST_CASE("the SDK's typed enums spell exactly the schemas' enums", "[model]") {
  using namespace sb::sdk;
  auto names = [](auto... values) { return nlohmann::json::array({name(values)...}); };
  const auto event = sb::test::loadSchema("call_event")["properties"];
  CHECK(event["type"]["enum"] == names(EventType::LegInitiated, EventType::LegRinging, EventType::LegAnswered,
                                       EventType::LegEnded, EventType::AgentJoined, EventType::AgentLeft,
                                       EventType::ParticipantMuted, EventType::ParticipantHeld,
                                       EventType::ConferenceStarted, EventType::ConferenceEnded));
  CHECK(event["leg"]["enum"] == names(Leg::Contact, Leg::Agent));
  CHECK(event["cause"]["enum"] ==
        names(EndCause::Completed, EndCause::Busy, EndCause::NoAnswer, EndCause::Failed, EndCause::Canceled));
  const auto status = sb::test::loadSchema("call.status.result")["properties"];
  const auto contactStates =
      names(ContactState::Initiated, ContactState::Ringing, ContactState::InProgress, ContactState::Completed,
            ContactState::Busy, ContactState::NoAnswer, ContactState::Failed, ContactState::Canceled);
  CHECK(status["status"]["enum"] == contactStates);
  nlohmann::json legStates = contactStates;
  for (const auto& state : names(AgentState::Connecting, AgentState::Connected, AgentState::Disconnected)) {
    legStates.push_back(state);
  }
  CHECK(status["legs"]["items"]["properties"]["state"]["enum"] == legStates);

  // What the typed builders make is valid as it stands.
  const auto ended =
      CallEvent::of(EventType::LegEnded, "k-1", 1'700'000'000'000).on(Leg::Contact).endedBy(EndCause::NoAnswer);
  CHECK(sb::test::validate(sb::test::loadSchema("call_event"), ended.toJson()).empty());
  CHECK(ended.type == "leg.ended");
  CHECK(ended.cause == "no-answer");
  CHECK(
      LegSnapshot::agent(AgentState::Connected, "leg-9").toJson() ==
      nlohmann::json(
          {{"leg", "agent"}, {"provider_leg_id", "leg-9"}, {"state", "connected"}, {"muted", false}, {"held", false}}));
}

TEST_CASE("the capabilities builder writes what the schema and the loader accept", "[model]") {
  using namespace sb::sdk;
  const auto schema = loadSchema("capabilities");
  CHECK(schema["properties"]["topology"]["enum"] ==
        nlohmann::json::array({name(Topology::Bridge), name(Topology::Direct)}));
  // Every operation has its request and result schema, and every request
  // schema has its operation.
  std::set<std::string> typed;
  for (const Operation operation : kAllOperations) {
    typed.insert(name(operation));
    CHECK_NOTHROW(loadSchema(std::string(name(operation)) + ".request"));
    CHECK_NOTHROW(loadSchema(std::string(name(operation)) + ".result"));
  }
  std::set<std::string> documented;
  for (const auto& file : std::filesystem::directory_iterator(std::string(SB_SOURCE_DIR) + "/sdk/schema")) {
    const std::string fileName = file.path().filename().string();
    const std::string suffix = ".request.schema.json";
    if (fileName.size() > suffix.size() && fileName.ends_with(suffix)) {
      documented.insert(fileName.substr(0, fileName.size() - suffix.size()));
    }
  }
  CHECK(typed == documented);

  // The sim's capabilities as they were written by hand before the builder.
  const auto built = Capabilities(Topology::Bridge)
                         .operations(kAllOperations)
                         .mute()
                         .hold()
                         .clientCredential("sim")
                         .webhookSignature("hmac-sha256")
                         .webhooksNonblocking()
                         .toJson();
  CHECK(built == nlohmann::json::parse(
                     R"({"topology":"bridge","supports_mute":true,"supports_hold":true,)"
                     R"("client_credential":"sim","webhook_signature":"hmac-sha256","webhooks_nonblocking":true,)"
                     R"("operations":["call.start","call.end","call.status","participant.update",)"
                     R"("client_credential.issue"]})"));
  CHECK(validate(schema, built).empty());
  const auto least = Capabilities(Topology::Direct).operations({Operation::CallStart, Operation::CallEnd}).toJson();
  CHECK(least ==
        nlohmann::json::parse(R"({"topology":"direct","operations":["call.start","call.end"],"supports_mute":false,)"
                              R"("supports_hold":false})"));
  CHECK(validate(schema, least).empty());
}

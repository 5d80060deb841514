// The admin board's cold-call API (seed-requirements.md section 3): the
// five-step flow with the documented fields, and every error code of the
// contract produced for real.
#include "storage/Connections.h"
#include "support/ApiClient.h"
#include "support/ParticipantIds.h"
#include "support/TestHost.h"

#include <catch2/catch.hpp>

#include <Poco/Data/Session.h>

using sb::test::ApiClient;
using sb::test::eventually;

namespace {

const std::string kPrefix = "/aicallgo/api/v1/cold-call";

std::map<std::string, std::string> boardConfig(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> values = {
      {"coldcall.prefix", kPrefix},           {"provider.sim.ring_after_ms", "10"},
      {"provider.sim.answer_after_ms", "30"}, {"provider.sim.agent_join_after_ms", "10"},
      {"provider.sim.results.0002", "busy"},
  };
  for (auto& [key, value] : extra) values[key] = value;
  return values;
}

struct Board {
  explicit Board(std::map<std::string, std::string> extra = {}) : host(boardConfig(std::move(extra))) {}
  sb::test::TestHost host;
  ApiClient admin{host.port(), host.adminKey};
  ApiClient agent{host.port(), host.agentKey};

  sb::test::ApiReply initiate(const nlohmann::json& body, const ApiClient* as = nullptr) {
    return (as != nullptr ? *as : admin).post(kPrefix + "/initiate", body);
  }
  sb::test::ApiReply status(const std::string& id) { return admin.get(kPrefix + "/status/" + id); }
};

void checkError(const sb::test::ApiReply& reply, int status, const std::string& code) {
  INFO(reply.body);
  CHECK(reply.status == status);
  REQUIRE(reply.json.is_object());
  CHECK(reply.json["error"]["code"] == code);
  CHECK_FALSE(reply.json["error"]["message"].get<std::string>().empty());
}

bool isIso(const nlohmann::json& value) {
  return value.is_string() && value.get<std::string>().size() == 20 && value.get<std::string>()[10] == 'T' &&
         value.get<std::string>().back() == 'Z';
}

}  // namespace

TEST_CASE("cold-call api: the admin board's five steps against the sim provider", "[cold-call]") {
  Board board;
  // 1. initiate
  const auto initiated = board.initiate(
      {{"to_phone", "+15551230001"}, {"from_phone", "+15550001111"}, {"provider", "SIM"}, {"agent_id", "rep-7"}});
  REQUIRE(initiated.status == 201);
  const auto& call = initiated.json;
  for (const char* field : {"conference_sid", "conference_id", "call_sid", "status", "provider", "created_at"}) {
    INFO(field);
    CHECK(call.contains(field));
  }
  CHECK(call.contains("access_token"));
  CHECK(call["status"] == "initiated");
  CHECK(call["provider"] == "sim");
  CHECK(call["agent_id"] == "rep-7");
  CHECK(isIso(call["created_at"]));
  CHECK(call["conference_id"].get<std::string>().rfind("COLD_CALL_", 0) == 0);
  const std::string conferenceSid = call["conference_sid"];
  const std::string friendlyName = call["conference_id"];

  // 2. webrtc-join
  const auto joined = board.admin.post(kPrefix + "/webrtc-join",
                                       {{"conference_id", conferenceSid}, {"client_id", "rep-7"}, {"provider", "sim"}});
  REQUIRE(joined.status == 200);
  for (const char* field : {"participant_sid", "access_token", "conference_name", "status", "ice_servers"}) {
    INFO(field);
    CHECK(joined.json.contains(field));
  }
  CHECK(joined.json["conference_name"] == friendlyName);
  CHECK(joined.json["ice_servers"].is_array());
  CHECK_FALSE(joined.json["access_token"].get<std::string>().empty());
  REQUIRE(eventually([&] {
    const auto s = board.status(conferenceSid).json;
    return s["participant_count"] == 2;
  }));

  // 3. mute the agent (the participant named by webrtc-join)
  const std::string agentParticipant = joined.json["participant_sid"];
  CHECK(agentParticipant.rfind("sess_", 0) == 0);
  CHECK(board.status(conferenceSid).json["participants"][1]["participant_sid"] == agentParticipant);
  const auto muted = board.admin.post(
      kPrefix + "/control/mute",
      {{"conference_sid", conferenceSid}, {"participant_sid", agentParticipant}, {"action", "mute"}, {"value", true}});
  REQUIRE(muted.status == 200);
  CHECK(muted.json["success"] == true);
  CHECK(muted.json["conference_sid"] == conferenceSid);
  CHECK(muted.json["participant_sid"] == agentParticipant);
  CHECK(muted.json["muted"] == true);
  CHECK(muted.json["message"] == "Participant muted successfully");

  // 4. status: by our id, the friendly name and the provider's conference id
  const auto status = board.status(conferenceSid);
  REQUIRE(status.status == 200);
  CHECK(status.json["status"] == "in-progress");
  CHECK(status.json["participant_count"] == 2);
  CHECK(status.json["duration"].is_number_integer());
  CHECK(isIso(status.json["created_at"]));
  CHECK(isIso(status.json["started_at"]));
  CHECK(status.json["ended_at"].is_null());
  const auto& participants = status.json["participants"];
  CHECK(participants[0]["call_sid"] == call["call_sid"]);
  CHECK(participants[1]["call_sid"].is_null());  // the browser leg
  CHECK(participants[1]["muted"] == true);
  for (const auto& p : participants) {
    for (const char* field : {"participant_sid", "call_sid", "muted", "hold", "start_time"}) {
      CHECK(p.contains(field));
    }
  }
  CHECK(board.status(friendlyName).json["conference_sid"] == conferenceSid);
  const std::string providerConference = status.json["provider_conference_id"];
  CHECK(board.status(providerConference).json["conference_sid"] == conferenceSid);

  // hold and resume the contact
  const auto held =
      board.admin.post(kPrefix + "/control/hold", {{"conference_sid", conferenceSid}, {"action", "hold"}});
  REQUIRE(held.status == 200);
  CHECK(held.json["hold"] == true);
  CHECK(board.status(conferenceSid).json["participants"][0]["hold"] == true);
  const auto resumed = board.admin.post(
      kPrefix + "/control/mute",
      {{"conference_sid", conferenceSid}, {"participant_sid", call["call_sid"]}, {"action", "unhold"}});
  CHECK(resumed.json["hold"] == false);

  // 5. end (twice: the second succeeds too)
  const auto ended = board.admin.post(kPrefix + "/end", {{"conference_sid", conferenceSid}});
  REQUIRE(ended.status == 200);
  CHECK(ended.json["success"] == true);
  CHECK(ended.json["conference_sid"] == conferenceSid);
  CHECK(ended.json["status"] == "completed");
  CHECK(ended.json["message"] == "Conference ended successfully");
  CHECK(isIso(ended.json["ended_at"]));
  const auto again = board.admin.post(kPrefix + "/end?conference_sid=" + friendlyName, nullptr);
  CHECK(again.status == 200);
  CHECK(again.json["status"] == "completed");
  const auto final = board.status(conferenceSid);
  CHECK(final.json["status"] == "completed");
  CHECK(final.json["participant_count"] == 0);
  CHECK(isIso(final.json["ended_at"]));
}

TEST_CASE("cold-call api: the agent is one participant id on every surface (sim)", "[cold-call]") {
  Board board;
  sb::test::EventStreamClient stream(board.host.port(), board.host.adminKey);
  const auto initiated = board.initiate({{"to_phone", "+15551230001"}, {"agent_id", "rep-7"}});
  REQUIRE(initiated.status == 201);
  const std::string sid = initiated.json["conference_sid"];
  const auto joined = board.admin.post(kPrefix + "/webrtc-join", {{"conference_id", sid}, {"client_id", "rep-7"}});
  REQUIRE(joined.status == 200);
  REQUIRE(eventually([&] { return board.status(sid).json["participant_count"] == 2; }));
  const std::string alias = board.admin.get("/api/v1/calls/" + sid).json["legs"]["agent"]["provider_leg_id"];
  sb::test::checkAgentNamedOnce(board.admin, stream, kPrefix, sid, joined.json["participant_sid"], alias);
  // The contact's id is the call_sid /initiate gave, on every surface too.
  const auto contact = board.status(sid).json["participants"][0];
  CHECK(contact["participant_sid"] == initiated.json["call_sid"]);
  CHECK(board.admin.get("/api/v1/calls/" + sid).json["legs"]["contact"]["participant_id"] ==
        initiated.json["call_sid"]);
}

TEST_CASE("cold-call api: validation errors", "[cold-call]") {
  Board board;
  auto bad = board.initiate({{"to_phone", "555-1234"}});
  checkError(bad, 400, "INVALID_PHONE_FORMAT");
  CHECK(bad.json["error"]["details"]["phone"] == "555-1234");
  CHECK(bad.json["error"]["details"]["expected_format"] == "+[country_code][number]");
  CHECK(bad.json["error"]["details"]["example"] == "+15551234567");
  checkError(board.initiate({{"to_phone", "+15551230001"}, {"from_phone", "nope"}}), 400, "INVALID_PHONE_FORMAT");
  checkError(board.initiate(nlohmann::json::object()), 422, "VALIDATION_ERROR");
  checkError(board.initiate({{"to_phone", 15551230001}}), 422, "VALIDATION_ERROR");
  // Present but empty: a malformed number, as the original API answers it.
  auto empty = board.initiate({{"to_phone", ""}});
  checkError(empty, 400, "INVALID_PHONE_FORMAT");
  CHECK(empty.json["error"]["details"]["phone"] == "");
  CHECK(empty.json["error"]["details"]["expected_format"] == "+[country_code][number]");
  const auto notJson = board.admin.sendRaw("POST", kPrefix + "/initiate", "{nope", "application/json");
  checkError(notJson, 400, "VALIDATION_ERROR");

  const auto call = board.initiate({{"to_phone", "+15551230001"}});
  REQUIRE(call.status == 201);
  const std::string sid = call.json["conference_sid"];
  checkError(board.admin.post(kPrefix + "/control/mute",
                              {{"conference_sid", sid}, {"participant_sid", "contact"}, {"action", "shout"}}),
             400, "VALIDATION_ERROR");
  // A field missing (or of the wrong type) is 422 on every cold-call route,
  // as on initiate and in the docs; a present but invalid value is 400.
  checkError(board.admin.post(kPrefix + "/control/mute", {{"conference_sid", sid}, {"action", "mute"}}), 422,
             "VALIDATION_ERROR");
  checkError(board.admin.post(kPrefix + "/control/mute", {{"participant_sid", "contact"}, {"action", "mute"}}), 422,
             "VALIDATION_ERROR");
  checkError(board.admin.post(kPrefix + "/control/hold", {{"conference_sid", sid}, {"action", 5}}), 422,
             "VALIDATION_ERROR");
  checkError(board.admin.post(kPrefix + "/webrtc-join", {{"conference_id", sid}}), 422, "VALIDATION_ERROR");
  checkError(board.admin.post(kPrefix + "/webrtc-join", {{"client_id", "rep1"}}), 422, "VALIDATION_ERROR");
  checkError(board.admin.post(kPrefix + "/webrtc-join", {{"conference_id", sid}, {"client_id", "a b/c"}}), 400,
             "VALIDATION_ERROR");
  checkError(board.admin.post(kPrefix + "/end", nlohmann::json::object()), 422, "VALIDATION_ERROR");
  board.admin.post(kPrefix + "/end", {{"conference_sid", sid}});
}

TEST_CASE("cold-call api: unknown conferences and participants", "[cold-call]") {
  Board board;
  auto missing = board.status("CF_does_not_exist");
  checkError(missing, 404, "CONFERENCE_NOT_FOUND");
  CHECK(missing.json["error"]["details"]["conference_sid"] == "CF_does_not_exist");
  checkError(board.admin.post(kPrefix + "/end", {{"conference_sid", "nope"}}), 404, "CONFERENCE_NOT_FOUND");
  checkError(board.admin.post(kPrefix + "/webrtc-join", {{"conference_id", "nope"}, {"client_id", "rep"}}), 404,
             "CONFERENCE_NOT_FOUND");
  checkError(board.admin.post(kPrefix + "/control/mute",
                              {{"conference_sid", "nope"}, {"participant_sid", "x"}, {"action", "mute"}}),
             404, "CONFERENCE_NOT_FOUND");

  const auto call = board.initiate({{"to_phone", "+15551230001"}});
  const std::string sid = call.json["conference_sid"];
  REQUIRE(eventually([&] { return board.status(sid).json["participant_count"] == 1; }));
  auto participant = board.admin.post(kPrefix + "/control/mute",
                                      {{"conference_sid", sid}, {"participant_sid", "PA_nobody"}, {"action", "mute"}});
  checkError(participant, 404, "PARTICIPANT_NOT_FOUND");
  CHECK(participant.json["error"]["details"]["participant_sid"] == "PA_nobody");
  // The agent never joined: its leg is not in the conference at the provider.
  checkError(board.admin.post(kPrefix + "/control/mute",
                              {{"conference_sid", sid}, {"participant_sid", "agent"}, {"action", "mute"}}),
             404, "PARTICIPANT_NOT_FOUND");
  board.admin.post(kPrefix + "/end", {{"conference_sid", sid}});
  // An ended conference takes no more joins.
  checkError(board.admin.post(kPrefix + "/webrtc-join", {{"conference_id", sid}, {"client_id", "rep"}}), 404,
             "CONFERENCE_NOT_FOUND");
}

TEST_CASE("cold-call api: provider names", "[cold-call]") {
  Board board;
  auto other = board.initiate({{"to_phone", "+15551230001"}, {"provider", "twilio"}});
  checkError(other, 501, "PROVIDER_NOT_IMPLEMENTED");
  CHECK(other.json["error"]["details"]["provider"] == "twilio");
  CHECK(other.json["error"]["details"]["supported_providers"] == nlohmann::json::array({"sim"}));
  auto unknown = board.initiate({{"to_phone", "+15551230001"}, {"provider", "vonage"}});
  checkError(unknown, 400, "PROVIDER_NOT_SUPPORTED");
  CHECK(unknown.json["error"]["details"]["supported_providers"] == nlohmann::json::array({"sim"}));
}

TEST_CASE("cold-call api: provider failures map to PROVIDER_ERROR, WEBRTC_ERROR and CONTROL_ERROR", "[cold-call]") {
  SECTION("call.start refused") {
    Board board(std::map<std::string, std::string>{{"provider.sim.fail_operations", "call.start"}});
    auto failed = board.initiate({{"to_phone", "+15551230001"}});
    checkError(failed, 500, "PROVIDER_ERROR");
    CHECK(failed.json["error"]["details"]["provider"] == "sim");
    CHECK(failed.json["error"]["details"]["provider_code"] == "SIM-FAULT");
    CHECK_FALSE(failed.json["error"]["details"]["provider_error"].get<std::string>().empty());
    // The attempt is on record as failed, and the agent is not left busy.
    const auto history = board.admin.get("/api/v1/calls");
    REQUIRE(history.json["total"] == 1);
    CHECK(history.json["data"][0]["status"] == "failed");
    checkError(board.initiate({{"to_phone", "+15551230001"}}), 500, "PROVIDER_ERROR");
  }
  SECTION("client_credential.issue refused") {
    Board board(std::map<std::string, std::string>{{"provider.sim.fail_operations", "client_credential.issue"}});
    const auto call = board.initiate({{"to_phone", "+15551230001"}});
    REQUIRE(call.status == 201);
    checkError(board.admin.post(kPrefix + "/webrtc-join",
                                {{"conference_id", call.json["conference_sid"]}, {"client_id", "rep"}}),
               500, "WEBRTC_ERROR");
  }
  SECTION("participant.update refused") {
    Board board(std::map<std::string, std::string>{{"provider.sim.fail_operations", "participant.update"}});
    const auto call = board.initiate({{"to_phone", "+15551230001"}});
    REQUIRE(call.status == 201);
    checkError(board.admin.post(kPrefix + "/control/hold",
                                {{"conference_sid", call.json["conference_sid"]}, {"action", "hold"}}),
               500, "CONTROL_ERROR");
  }
  SECTION("no provider running: 503") {
    Board board(std::map<std::string, std::string>{{"provider", "nonesuch"}});
    checkError(board.initiate({{"to_phone", "+15551230001"}, {"provider", "nonesuch"}}), 503, "PROVIDER_ERROR");
  }
}

TEST_CASE("cold-call api: the host's own refusals", "[cold-call]") {
  Board board;
  checkError(sb::test::ApiClient(board.host.port(), "wrong-key").post(kPrefix + "/initiate", {{"to_phone", "+1"}}), 401,
             "UNAUTHORIZED");

  board.admin.post("/api/v1/dnc", {{"phone", "+15551230009"}, {"reason", "asked"}});
  checkError(board.initiate({{"to_phone", "+15551230009"}}), 403, "DNC_BLOCKED");

  // The admin board names no agent: its calls are nobody's in particular
  // and run side by side (product §2.3).
  REQUIRE(board.initiate({{"to_phone", "+15551230001"}}).status == 201);
  REQUIRE(board.initiate({{"to_phone", "+15551230003"}}).status == 201);
  // A named agent has one call at a time.
  const auto first = board.initiate({{"to_phone", "+15551230004"}, {"agent_id", "rep-1"}});
  REQUIRE(first.status == 201);
  auto busy = board.initiate({{"to_phone", "+15551230005"}, {"agent_id", "rep-1"}});
  checkError(busy, 409, "AGENT_BUSY");
  CHECK(busy.json["error"]["details"]["call_id"] == first.json["call_id"]);
  // Another agent of the admin board is free.
  CHECK(board.initiate({{"to_phone", "+15551230003"}, {"agent_id", "rep-2"}}).status == 201);
  // An agent key is its own named agent.
  REQUIRE(board.initiate({{"to_phone", "+15551230006"}}, &board.agent).status == 201);
  checkError(board.initiate({{"to_phone", "+15551230007"}}, &board.agent), 409, "AGENT_BUSY");

  const std::string huge(2 * 1024 * 1024, 'x');
  checkError(board.admin.sendRaw("POST", kPrefix + "/initiate", huge, "application/json"), 413, "PAYLOAD_TOO_LARGE");
}

TEST_CASE("cold-call api: initiate is limited to 10 a minute per key", "[cold-call]") {
  Board board;
  int created = 0;
  for (int i = 0; i < 10; ++i) {
    const auto reply = board.initiate({{"to_phone", "+15551230002"}, {"agent_id", "rep-" + std::to_string(i)}});
    created += reply.status == 201 ? 1 : 0;
  }
  CHECK(created == 10);
  const auto limited = board.initiate({{"to_phone", "+15551230002"}, {"agent_id", "rep-x"}});
  checkError(limited, 429, "RATE_LIMITED");
  CHECK(std::stoi(limited.header("Retry-After")) >= 1);
  // Another key has its own budget.
  CHECK(board.initiate({{"to_phone", "+15551230002"}}, &board.agent).status == 201);
}

TEST_CASE("cold-call api: an unexpected failure is INTERNAL_ERROR without details leaking", "[cold-call]") {
  Board board;
  // The database refuses writes underneath the host.
  auto& database = board.host.context().database();
  auto readOnly = [&](bool on) {
    database.connections().withSession([&](Poco::Data::Session& session) {
      session << (database.isPostgresql() ? std::string("SET default_transaction_read_only = ") + (on ? "on" : "off")
                                          : std::string("PRAGMA query_only = ") + (on ? "1" : "0")),
          Poco::Data::Keywords::now;
    });
  };
  readOnly(true);
  const auto failed = board.initiate({{"to_phone", "+15551230001"}});
  checkError(failed, 500, "INTERNAL_ERROR");
  const std::string message = failed.json["error"]["message"].get<std::string>();
  CHECK(message.find("readonly") == std::string::npos);
  CHECK(message.find("read-only") == std::string::npos);
  readOnly(false);
  CHECK(board.initiate({{"to_phone", "+15551230001"}}).status == 201);
}

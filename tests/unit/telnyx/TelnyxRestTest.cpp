// Every Call Control request of the Telnyx plugin checked against Telnyx's
// official OpenAPI description (tests/fixtures/specs/telnyx_call_control_subset.json),
// and Telnyx's error envelope mapped to SDK statuses.
#include "TelnyxEvents.h"
#include "TelnyxRest.h"
#include "support/OpenApiRequest.h"

#include <catch2/catch.hpp>

using sb::sdk::Status;

namespace {

const sb::test::OpenApiSpec& telnyxSpec() {
  static const auto loaded =
      sb::test::OpenApiSpec::load(std::string(SB_SOURCE_DIR) + "/tests/fixtures/specs/telnyx_call_control_subset.json");
  return loaded;
}

void checkTelnyxRequest(const sb::telnyx::RestRequest& request) {
  const auto problems = telnyxSpec().checkJson(request.method, request.path, request.body);
  INFO(request.method << " " << request.path << " " << request.body.dump());
  for (const auto& problem : problems) UNSCOPED_INFO(problem);
  CHECK(problems.empty());
}

const std::string kLeg = "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg";
const std::string kConference = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

}  // namespace

TEST_CASE("telnyx rest: every request is valid against the official description", "[telnyx]") {
  const std::string state = sb::telnyx::encodeClientState({"call_1", "contact"});
  checkTelnyxRequest(sb::telnyx::dial("1293384261075731499", "+13129457420", "+35319605860", state,
                                      "891510ac-f3e4-11e8-af5b-de00688a4901", 30,
                                      "https://host.example/webhooks/telnyx/events"));
  checkTelnyxRequest(
      sb::telnyx::dial("1293384261075731499", "sip:gencred123@sip.telnyx.com", "+35319605860", state, "c-2", 30, ""));
  checkTelnyxRequest(sb::telnyx::hangup(kLeg, "c-3"));
  checkTelnyxRequest(sb::telnyx::answer(kLeg, state, "c-3a"));
  checkTelnyxRequest(sb::telnyx::fetchCall(kLeg));
  checkTelnyxRequest(sb::telnyx::createConference(kLeg, "COLD_CALL_2026-12-01_abc", "c-4"));
  checkTelnyxRequest(sb::telnyx::joinConference(kConference, kLeg, "c-5", state, true));
  checkTelnyxRequest(sb::telnyx::joinConference(kConference, kLeg, "c-5a", state, false));
  checkTelnyxRequest(sb::telnyx::muteParticipant(kConference, kLeg, true));
  checkTelnyxRequest(sb::telnyx::muteParticipant(kConference, kLeg, false));
  checkTelnyxRequest(sb::telnyx::holdParticipant(kConference, kLeg, true));
  checkTelnyxRequest(sb::telnyx::holdParticipant(kConference, kLeg, false));
  checkTelnyxRequest(sb::telnyx::endConference(kConference, "c-6"));
  checkTelnyxRequest(sb::telnyx::mintLoginToken("c215ade3-0d39-418e-94be-c5f780760199"));
}

TEST_CASE("telnyx rest: call control ids are percent-encoded in paths", "[telnyx]") {
  CHECK(sb::telnyx::hangup("v3:a/b c", "x").path == "/calls/v3%3Aa%2Fb%20c/actions/hangup");
}

TEST_CASE("telnyx rest: the validator itself refuses what Telnyx would", "[telnyx]") {
  auto bad = sb::telnyx::dial("1", "+13129457420", "+35319605860", "", "c", 30, "");
  bad.body["colour"] = "blue";
  CHECK_FALSE(telnyxSpec().checkJson(bad.method, bad.path, bad.body).empty());
  bad = sb::telnyx::dial("1", "+13129457420", "+35319605860", "", "c", 30, "");
  bad.body.erase("connection_id");
  CHECK_FALSE(telnyxSpec().checkJson(bad.method, bad.path, bad.body).empty());
  auto wrongType = sb::telnyx::createConference(kLeg, "room", "c");
  wrongType.body["beep_enabled"] = "sometimes";
  CHECK_FALSE(telnyxSpec().checkJson(wrongType.method, wrongType.path, wrongType.body).empty());
  CHECK_FALSE(telnyxSpec().checkJson("POST", "/calls/x/actions/teleport", nlohmann::json::object()).empty());
}

TEST_CASE("telnyx rest: errors map to SDK statuses", "[telnyx]") {
  auto error = [](int status, const std::string& code, const std::string& title) {
    return sb::telnyx::errorFromResponse(
        status, nlohmann::json{{"errors", {{{"code", code}, {"title", title}, {"detail", "d"}}}}}.dump(), 7);
  };
  auto limited = error(429, "10011", "Too many requests");
  CHECK(limited.status() == Status::RateLimited);
  CHECK(limited.retryAfterMs() == 7000);
  CHECK(limited.providerCode() == "10011");
  CHECK(error(401, "10009", "Authentication failed").status() == Status::Unauthenticated);
  CHECK(error(403, "10010", "D38").status() == Status::PermissionDenied);
  CHECK(error(422, "10016", "Phone number must be in +E164 format").status() == Status::InvalidPhone);
  const auto ended = error(422, "90018", "Call has already ended");
  CHECK(ended.status() == Status::NotFound);
  CHECK(std::string(ended.what()) == "Telnyx 90018 (HTTP 422): Call has already ended: d");
  CHECK(error(422, "90034", "Call not answered yet").status() == Status::ProviderRejected);
  CHECK(error(404, "90058", "Invalid conference_id").status() == Status::NotFound);
  CHECK(error(503, "", "").status() == Status::Unavailable);
  CHECK(sb::telnyx::errorFromResponse(502, "<html>bad gateway</html>", std::nullopt).status() == Status::Unavailable);
  CHECK(sb::telnyx::errorCode(R"({"errors":[{"code":"90018","title":"x"}]})") == "90018");
  CHECK(sb::telnyx::errorCode("not json").empty());
}

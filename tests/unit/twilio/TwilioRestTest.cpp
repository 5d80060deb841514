// Every REST request of the Twilio plugin checked against Twilio's official
// OpenAPI description (tests/fixtures/specs/twilio_api_v2010.json), and Twilio's
// error JSON mapped to SDK statuses.
#include "TwilioRest.h"
#include "support/OpenApiRequest.h"

#include <catch2/catch.hpp>

using sb::sdk::Status;

namespace {

const sb::test::OpenApiSpec& twilioSpec() {
  static const auto loaded =
      sb::test::OpenApiSpec::load(std::string(SB_SOURCE_DIR) + "/tests/fixtures/specs/twilio_api_v2010.json");
  return loaded;
}

const std::string kAccount = "AC1234567890abcdef1234567890abcdef";

void checkTwilioRequest(const sb::twilio::RestRequest& request) {
  const auto fields = request.method == "GET" ? sb::sdk::encoding::parseForm(request.query) : request.form;
  const auto problems = twilioSpec().check(request.method, request.path, fields);
  INFO(request.method << " " << request.path);
  for (const auto& problem : problems) {
    INFO(problem);
  }
  CHECK(problems.empty());
}

}  // namespace

TEST_CASE("twilio rest: every request the plugin sends is valid against the official description", "[twilio]") {
  const auto create = sb::twilio::createCall(
      kAccount, "+15551230001", "+15550009999", "https://host.example/webhooks/twilio/voice?call_id=call_1",
      "https://host.example/webhooks/twilio/call?call_id=call_1&leg=contact", 30);
  CHECK(create.path == "/2010-04-01/Accounts/" + kAccount + "/Calls.json");
  checkTwilioRequest(create);
  checkTwilioRequest(sb::twilio::hangUpCall(kAccount, "CA11111111111111111111111111111111"));
  checkTwilioRequest(sb::twilio::fetchCall(kAccount, "CA11111111111111111111111111111111"));
  checkTwilioRequest(sb::twilio::endConference(kAccount, "CF11111111111111111111111111111111"));
  checkTwilioRequest(sb::twilio::findConference(kAccount, "COLD_CALL_2026-12-01_abc"));
  checkTwilioRequest(
      sb::twilio::updateParticipant(kAccount, "CF11111111111111111111111111111111", "agent", true, std::nullopt));
  checkTwilioRequest(
      sb::twilio::updateParticipant(kAccount, "CF11111111111111111111111111111111", "CA2", std::nullopt, false));
}

TEST_CASE("twilio rest: the validator itself refuses what Twilio would", "[twilio]") {
  auto bad = sb::twilio::createCall(kAccount, "+15551230001", "+15550009999", "https://x", "https://y", 30);
  bad.form.emplace_back("Colour", "blue");
  bad.form.emplace_back("Record", "yes");
  bad.form.emplace_back("Timeout", "soon");
  const auto problems = twilioSpec().check(bad.method, bad.path, bad.form);
  CHECK(problems.size() == 3);
  const auto missing = twilioSpec().check("POST", "/2010-04-01/Accounts/AC1/Calls.json", {{"To", "+15551230001"}});
  CHECK(std::find(missing.begin(), missing.end(), "missing required parameter From") != missing.end());
  // "AC1" is no account SID: too short for the path parameter's pattern.
  CHECK(std::any_of(missing.begin(), missing.end(), [](const std::string& problem) {
    return problem.rfind("path parameter AccountSid 'AC1'", 0) == 0;
  }));
  CHECK_FALSE(twilioSpec().check("POST", "/2010-04-01/Accounts/AC1/Nothing.json", {}).empty());
}

TEST_CASE("twilio rest: participant labels and names are path-encoded", "[twilio]") {
  const auto request = sb::twilio::updateParticipant(kAccount, "COLD CALL/1", "agent one", true, std::nullopt);
  CHECK(request.path ==
        "/2010-04-01/Accounts/" + kAccount + "/Conferences/COLD%20CALL%2F1/Participants/agent%20one.json");
}

TEST_CASE("twilio rest: error JSON maps to SDK statuses", "[twilio]") {
  auto error = [](int status, const std::string& body, std::optional<int64_t> retry = std::nullopt) {
    return sb::twilio::errorFromResponse(status, body, retry);
  };
  const auto limited = error(429, R"({"code": 20429, "message": "Too Many Requests", "status": 429})", 3);
  CHECK(limited.status() == Status::RateLimited);
  CHECK(limited.retryAfterMs() == 3000);
  CHECK(limited.providerCode() == "20429");
  const auto auth = error(401, R"({"code": 20003, "message": "Authenticate", "status": 401})");
  CHECK(auth.status() == Status::Unauthenticated);
  const auto phone = error(
      400, R"({"code": 21211, "message": "The 'To' number +15005550001 is not a valid phone number.", "status": 400})");
  CHECK(phone.status() == Status::InvalidPhone);
  CHECK(std::string(phone.what()).find("21211") != std::string::npos);
  CHECK(std::string(phone.what()).find("not a valid phone number") != std::string::npos);
  CHECK(error(404, R"({"code": 20404, "message": "not found", "status": 404})").status() == Status::NotFound);
  CHECK(error(400, R"({"code": 21220, "message": "Call is not in-progress", "status": 400})").status() ==
        Status::ProviderRejected);
  CHECK(error(503, "<html>gateway</html>").status() == Status::Unavailable);
  CHECK(error(503, "<html>gateway</html>").providerCode().empty());
}

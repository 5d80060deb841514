// `switchboard conformance`, the runner plugin authors get, run as they run
// it: against Twilio and Telnyx (through their fakes, which also deliver
// their own signed callbacks to the run's listener), and against plugins
// and fixtures that are wrong, which it must fail with the reason. The sim,
// the out-of-tree echo example and the golden 1.0 plugin run through it as
// ctest's conformance.* tests.
#include "support/Processes.h"
#include "support/TempDir.h"
#include "support/fakes/FakeTelnyx.h"
#include "support/fakes/FakeTwilio.h"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <cstdio>
#include <fstream>
#include <string>

using Catch::Matchers::Contains;
using sb::test::Run;

namespace {

sb::test::Run conformance(const std::string& args) {
  return sb::test::runSwitchboard("conformance " + args);
}

std::string source(const std::string& path) {
  return std::string(SB_SOURCE_DIR) + "/" + path;
}

std::string plugin(const std::string& id) {
  return std::string(SB_BUILD_DIR) + "/lib/switchboard/plugins/" + id;
}

/// The lines of the certificate that say a check failed.
std::string failures(const std::string& output) {
  std::string out;
  size_t at = 0;
  while ((at = output.find("  FAIL  ", at)) != std::string::npos) {
    const size_t end = output.find("\n  ", output.find('\n', at) + 1);
    out += output.substr(at, end == std::string::npos ? std::string::npos : end - at) + "\n";
    at += 8;
  }
  return out;
}

}  // namespace

TEST_CASE("conformance runner: Twilio through its fake conforms, the fake's own callbacks included", "[conformance]") {
  sb::test::FakeTwilio twilio;
  const uint16_t port = sb::test::freePort();
  twilio.setAppVoiceUrl("http://127.0.0.1:" + std::to_string(port) + "/webhooks/twilio/voice");
  sb::test::TempDir dir;
  const auto& o = twilio.options();
  std::ofstream(dir.path() / "twilio.ini")
      << "provider = twilio\npublic_base_url = http://127.0.0.1:" << port << "\n[http]\nport = " << port
      << "\n[provider.twilio]\nbase_url = " << twilio.baseUrl() << "\naccount_sid = " << o.accountSid
      << "\nauth_token = " << o.authToken << "\napi_key_sid = " << o.apiKeySid
      << "\napi_key_secret = " << o.apiKeySecret << "\ntwiml_app_sid = " << o.appSid << "\n";
  const Run run = conformance("twilio --config " + (dir.path() / "twilio.ini").string() + " --fixture " +
                              source("plugins/twilio/conformance.json") + " --settle-ms 500");
  INFO(run.output);
  CHECK(failures(run.output).empty());
  CHECK(run.exitCode == 0);
  CHECK_THAT(run.output, Contains("PASS  webhook \"the contact answers\": signed, it is accepted"));
  CHECK_THAT(run.output, Contains("PASS  webhook \"the contact answers\": with its body changed, it is refused"));
  CHECK_THAT(run.output, Contains("PASS  webhooks the carrier sent during the run"));
  CHECK_THAT(run.output, Contains("PASS  call.end again is already_ended"));
  for (const auto& violation : twilio.violations()) UNSCOPED_INFO(violation);
  CHECK(twilio.violations().empty());
}

TEST_CASE("conformance runner: Telnyx through its fake conforms, the fake's own webhooks included", "[conformance]") {
  sb::test::FakeTelnyx telnyx;
  const uint16_t port = sb::test::freePort();
  const std::string hooks = "http://127.0.0.1:" + std::to_string(port) + "/webhooks/telnyx/events";
  telnyx.setWebhookUrls(hooks, hooks);
  sb::test::TempDir dir;
  const auto& o = telnyx.options();
  std::ofstream(dir.path() / "telnyx.ini")
      << "provider = telnyx\npublic_base_url = http://127.0.0.1:" << port << "\n[http]\nport = " << port
      << "\n[provider.telnyx]\nbase_url = " << telnyx.baseUrl() << "\napi_key = " << o.apiKey
      << "\nconnection_id = " << o.connectionId << "\ncredential_id = " << o.credentialId
      << "\npublic_key = " << o.publicKeyBase64 << "\ncaller_id = +15550001000\n";
  const Run run = conformance("telnyx --config " + (dir.path() / "telnyx.ini").string() + " --fixture " +
                              source("plugins/telnyx/conformance.json") + " --settle-ms 500");
  INFO(run.output);
  CHECK(failures(run.output).empty());
  CHECK(run.exitCode == 0);
  CHECK_THAT(run.output, Contains("PASS  webhook \"the contact answers\": signed an hour ago, it is refused"));
  CHECK_THAT(run.output, Contains("PASS  webhook \"the contact hangs up\": a redelivery gives the same event keys"));
  CHECK_THAT(run.output, Contains("PASS  webhooks the carrier sent during the run"));
  for (const auto& violation : telnyx.violations()) UNSCOPED_INFO(violation);
  CHECK(telnyx.violations().empty());
}

TEST_CASE("conformance runner: a typo'd event fails its webhook, naming the field", "[conformance]") {
  sb::test::TempDir dir;
  std::ifstream in(source("sdk/examples/echo_provider/conformance.json"));
  std::string fixture((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string right = "\"type\": \"leg.answered\", \"call_id\"";
  REQUIRE(fixture.find(right) != std::string::npos);
  fixture.replace(fixture.find(right), right.size(), "\"type\": \"leg.answerd\", \"call_id\"");
  std::ofstream(dir.path() / "typo.json") << fixture;
  const Run run = conformance(plugin("echo") + " --config " + source("tests/conformance/echo.ini") + " --fixture " +
                              (dir.path() / "typo.json").string());
  INFO(run.output);
  CHECK(run.exitCode == 1);
  CHECK_THAT(failures(run.output), Contains("webhook \"the contact answers\": signed, it is accepted") &&
                                       Contains("/type: \"leg.answerd\" is not one of"));
  CHECK_THAT(run.output, Contains("DOES NOT CONFORM"));
}

TEST_CASE("conformance runner: a plugin that takes unsigned webhooks and lacks operations fails", "[conformance]") {
  const Run run = conformance(std::string(SB_FIXTURE_PLUGINS) + "/blocking_webhook --json --config " +
                              source("tests/conformance/echo.ini"));
  INFO(run.output);
  CHECK(run.exitCode == 1);
  const auto report = nlohmann::json::parse(run.output);
  CHECK(report.at("conforms") == false);
  std::map<std::string, std::string> verdicts;
  for (const auto& check : report.at("checks")) verdicts[check.at("name")] = check.at("verdict");
  CHECK(verdicts["an unsigned webhook is refused"] == "FAIL");
  CHECK(verdicts["capabilities"] == "FAIL");
  CHECK(verdicts["an unknown operation is UNSUPPORTED"] == "PASS");
}

TEST_CASE("conformance runner: what it cannot run is a clear refusal", "[conformance]") {
  sb::test::TempDir dir;
  const std::string config = " --config " + source("tests/conformance/echo.ini");
  // A folder the loader refuses: one failed check, the loader's reason.
  const Run refused = conformance(std::string(SB_FIXTURE_PLUGINS) + "/other_version" + config);
  CHECK(refused.exitCode == 1);
  CHECK_THAT(refused.output, Contains("library says its version is '2.0.0' but plugin.json says '1.0.0'"));
  const Run badSettle = conformance(plugin("echo") + config + " --settle-ms soon");
  CHECK(badSettle.exitCode == 2);
  CHECK_THAT(badSettle.output, Contains("--settle-ms takes milliseconds from 0 to 600000, not 'soon'"));
  // Nothing of that name.
  const Run unknown = conformance("nosuchplugin" + config);
  CHECK(unknown.exitCode == 2);
  CHECK_THAT(unknown.output, Contains("no plugin 'nosuchplugin'"));
  // Fixtures: not JSON, too big, a key the config does not set.
  std::ofstream(dir.path() / "broken.json") << "{\"signing\": ";
  const Run broken = conformance(plugin("echo") + config + " --fixture " + (dir.path() / "broken.json").string());
  CHECK(broken.exitCode == 2);
  CHECK_THAT(broken.output, Contains("broken.json: is not valid JSON"));
  {
    std::ofstream big(dir.path() / "big.json");
    big << "{\"pad\": \"" << std::string(1024 * 1024, 'x') << "\"}";
  }
  const Run big = conformance(plugin("echo") + config + " --fixture " + (dir.path() / "big.json").string());
  CHECK(big.exitCode == 2);
  CHECK_THAT(big.output, Contains("a fixture is at most 1 MiB"));
  const Run unset = conformance(plugin("sim") + config + " --fixture " + source("plugins/sim/conformance.json"));
  CHECK(unset.exitCode == 2);
  CHECK_THAT(unset.output, Contains("names the plugin's config key 'secret', which the configuration does not set"));
}

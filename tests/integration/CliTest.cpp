// The switchboard binary as an operator runs it.
#include "support/TempDir.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <cstdio>
#include <set>

using Catch::Matchers::Contains;

namespace {

struct Run {
  int exitCode;
  std::string output;
};

/// Runs the binary with extra environment assignments ("A=1 B=2").
Run switchboard(const std::string& env, const std::string& args) {
  const std::string command = "env " + env + " " + SB_SWITCHBOARD_BIN + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace

TEST_CASE("cli: version and help", "[cli]") {
  auto version = switchboard("", "version");
  CHECK(version.exitCode == 0);
  CHECK_THAT(version.output, Contains("switchboard 0.1.0") && Contains("provider ABI 1.0"));
  auto help = switchboard("", "--help");
  CHECK(help.exitCode == 0);
  CHECK_THAT(help.output, Contains("serve") && Contains("plugins") && Contains("keys create"));
  auto unknown = switchboard("", "frobnicate");
  CHECK(unknown.exitCode == 2);
  CHECK_THAT(unknown.output, Contains("unknown command 'frobnicate'"));
}

TEST_CASE("cli: plugins lists sim, twilio, telnyx and the out-of-tree example, and explains every refusal",
          "[cli][needs-echo]") {
  // The out-of-tree build of the example and the copy the main tree builds
  // in place claim one id: both are refused, naming both folders.
  const std::string path = std::string(SB_ECHO_GCC_DIR) + ":" +
                           std::filesystem::path(SB_SIM_PLUGIN_DIR).parent_path().string() + ":" + SB_FIXTURE_PLUGINS;
  auto run = switchboard("SWITCHBOARD_PLUGINS_PATH=" + path, "plugins --all --json");
  REQUIRE(run.exitCode == 0);
  const auto listing = nlohmann::json::parse(run.output);
  std::set<std::string> loaded;
  for (const auto& plugin : listing.at("loaded")) {
    loaded.insert(plugin.at("id").get<std::string>());
    CHECK(plugin.at("capabilities").is_object());
    CHECK(plugin.at("abi") == "1.0");
  }
  CHECK(loaded == std::set<std::string>{"sim", "twilio", "telnyx", "cprov"});
  CHECK(listing.at("active") == "sim");
  // 9 broken fixtures, plus both echo folders refused as one duplicate id.
  REQUIRE(listing.at("refused").size() == 11);
  int duplicates = 0;
  for (const auto& refusal : listing.at("refused")) {
    const auto reason = refusal.at("reason").get<std::string>();
    CHECK_FALSE(reason.empty());
    if (reason.find("duplicate plugin id 'echo'") != std::string::npos) {
      ++duplicates;
      CHECK_THAT(reason,
                 Contains("echo-gcc") && Contains(std::filesystem::path(SB_SIM_PLUGIN_DIR).parent_path().string()));
    }
  }
  CHECK(duplicates == 2);

  // Without --all only the active provider is mapped; the others are listed.
  auto text = switchboard("SWITCHBOARD_PLUGINS_PATH=" + path, "plugins");
  CHECK_THAT(text.output, Contains("sim  [active]") && Contains("Found, not loaded") && Contains("twilio") &&
                              Contains("Refused (") && Contains("reason: "));
  auto listed = nlohmann::json::parse(switchboard("SWITCHBOARD_PLUGINS_PATH=" + path, "plugins --json").output);
  CHECK(listed.at("loaded").size() == 1);
  std::set<std::string> found;
  for (const auto& plugin : listed.at("found")) {
    found.insert(plugin.at("id").get<std::string>());
  }
  CHECK(found.count("twilio") == 1);
  CHECK(found.count("telnyx") == 1);
}

TEST_CASE("cli: keys are created once, listed without the secret, and revoked", "[cli]") {
  sb::test::TempDir dir;
  const std::string env = "SWITCHBOARD_DATABASE_PATH=" + (dir / "keys.db").string();
  auto created = switchboard(env, "keys create --name ci-admin --role admin");
  REQUIRE(created.exitCode == 0);
  CHECK_THAT(created.output, Contains("API key: sbk_") && Contains("cannot be shown again"));
  const std::string key = created.output.substr(created.output.find("sbk_"), 52);

  auto listed = switchboard(env, "keys list");
  CHECK(listed.exitCode == 0);
  CHECK_THAT(listed.output, Contains("ci-admin") && Contains("admin") && Contains("active"));
  CHECK(listed.output.find(key) == std::string::npos);

  auto revoked = switchboard(env, "keys revoke " + key.substr(0, 12));
  CHECK(revoked.exitCode == 0);
  CHECK_THAT(switchboard(env, "keys list").output, Contains("revoked"));
  CHECK(switchboard(env, "keys revoke nothing-like-this").exitCode == 1);
  CHECK(switchboard(env, "keys create --name x --role root").exitCode == 1);
  CHECK(switchboard(env, "keys create").exitCode == 2);
}

TEST_CASE("cli: a bad config value is refused with the key named", "[cli]") {
  sb::test::TempDir dir;
  auto run =
      switchboard("SWITCHBOARD_DATABASE_PATH=" + (dir / "x.db").string() + " SWITCHBOARD_HTTP_PORT=eighty", "serve");
  CHECK(run.exitCode == 2);
  CHECK_THAT(run.output, Contains("http.port") && Contains("SWITCHBOARD_HTTP_PORT"));
  auto missingFile = switchboard("", "plugins --config /nonexistent/switchboard.ini");
  CHECK(missingFile.exitCode == 2);
  CHECK_THAT(missingFile.output, Contains("cannot read config file"));
}

TEST_CASE("cli: import prints the row report and fails when nothing was imported", "[cli]") {
  sb::test::TempDir dir;
  const std::string env = "SWITCHBOARD_DATABASE_PATH=" + (dir / "import.db").string();
  const std::string csv = std::string(SB_SOURCE_DIR) + "/tests/fixtures/csv/";
  auto good = switchboard(env, "import " + csv + "excel_phones.csv --list Excel");
  CHECK(good.exitCode == 0);
  CHECK_THAT(good.output, Contains("Imported 3 contact(s) into list 'Excel'") &&
                              Contains("row 3 (line 3) error [phone]: phone was mangled by Excel") &&
                              Contains("row 6 (line 6) error [phone]: phone is a spreadsheet formula"));
  auto none = switchboard(env, "import " + csv + "no_valid_rows.csv");
  CHECK(none.exitCode == 1);
  CHECK_THAT(none.output,
             Contains("Nothing imported: No valid contacts found") && Contains("row 3 (line 3) error [name]"));
  CHECK(switchboard(env, "import /nonexistent.csv").exitCode == 2);
  CHECK(switchboard(env, "import").exitCode == 2);
}

// The switchboard binary as an operator runs it.
#include "support/Processes.h"
#include "support/TempDir.h"
#include "support/Workbook.h"

#include <switchboard/abi/provider_abi.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

using Catch::Matchers::Contains;

namespace {

using sb::test::Run;

/// Runs the binary with extra environment assignments ("A=1 B=2").
Run switchboard(const std::string& env, const std::string& args) {
  return sb::test::runCommand("env " + env + " " + SB_SWITCHBOARD_BIN + " " + args);
}

}  // namespace

TEST_CASE("cli: version and help", "[cli]") {
  auto version = switchboard("", "version");
  CHECK(version.exitCode == 0);
  CHECK_THAT(version.output, Contains("switchboard 0.1.0") && Contains("provider ABI " + std::to_string(SB_ABI_MAJOR) +
                                                                       "." + std::to_string(SB_ABI_MINOR)));
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
    // The C fixtures are built for ABI 1.0 and load unchanged; the rest for
    // this SDK's minor.
    const std::string id = plugin.at("id").get<std::string>();
    CHECK(plugin.at("abi") == (id.rfind("cprov", 0) == 0
                                   ? std::string("1.0")
                                   : std::to_string(SB_ABI_MAJOR) + "." + std::to_string(SB_ABI_MINOR)));
  }
  CHECK(loaded ==
        std::set<std::string>{"sim", "twilio", "telnyx", "cprov", "cprov_crashing_invoke", "cprov_blocking_webhook"});
  CHECK(listing.at("active") == "sim");
  // 12 broken fixtures, plus both echo folders refused as one duplicate id.
  REQUIRE(listing.at("refused").size() == 14);
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

TEST_CASE("cli: users - the first admin, a generated password shown once, roles, disabling, never a password in argv",
          "[cli][users]") {
  sb::test::TempDir dir;
  const std::string env = "SWITCHBOARD_DATABASE_PATH=" + (dir / "users.db").string();
  const std::string passwordFile = (dir / "password").string();
  std::ofstream(passwordFile) << "tall giraffe at noon\n";

  CHECK_THAT(switchboard(env, "users list").output, Contains("create the first admin"));
  auto admin = switchboard(
      env, "users create --email Boss@Example.com --name Boss --role admin --password-file " + passwordFile);
  REQUIRE(admin.exitCode == 0);
  CHECK_THAT(admin.output, Contains("Created admin Boss@Example.com"));
  CHECK(admin.output.find("tall giraffe") == std::string::npos);

  auto generated = switchboard(env, "users create --email rep@example.com --name Rep --generate-password");
  REQUIRE(generated.exitCode == 0);
  CHECK_THAT(generated.output, Contains("Password: ") && Contains("cannot be shown again"));
  const std::string shown = generated.output.substr(generated.output.find("Password: ") + 10, 20);
  CHECK(shown.find_first_of(" \n") == std::string::npos);

  // No terminal and no file: refused, never read from elsewhere.
  auto noPassword = switchboard(env, "users create --email x@example.com --name X < /dev/null");
  CHECK(noPassword.exitCode == 2);
  CHECK_THAT(noPassword.output, Contains("never taken from the command line"));
  // A password typed as an option value is not echoed back.
  auto inArgv = switchboard(env, "users create --email x@example.com --name X --password hunter2hunter2");
  CHECK(inArgv.exitCode == 2);
  CHECK(inArgv.output.find("hunter2hunter2") == std::string::npos);
  // Standard input works through /dev/stdin.
  const std::string otherFile = (dir / "other").string();
  std::ofstream(otherFile) << "purple elephants dance\n";
  auto piped =
      switchboard(env, "users create --email piped@example.com --name Piped --password-file /dev/stdin < " + otherFile);
  CHECK(piped.exitCode == 0);

  auto duplicate = switchboard(env, "users create --email BOSS@example.com --name Again --generate-password");
  CHECK(duplicate.exitCode == 1);
  CHECK_THAT(duplicate.output, Contains("exists already"));
  const std::string weakFile = (dir / "weak").string();
  std::ofstream(weakFile) << "Password123\n";
  auto weak = switchboard(env, "users create --email weak@example.com --name Weak --password-file " + weakFile);
  CHECK(weak.exitCode == 1);
  CHECK_THAT(weak.output, Contains("most common"));
  CHECK(switchboard(env, "users create --email r@example.com --name R --role root --generate-password").exitCode == 2);

  CHECK(switchboard(env, "users set-role rep@example.com supervisor").exitCode == 0);
  auto lastAdmin = switchboard(env, "users disable boss@example.com");
  CHECK(lastAdmin.exitCode == 1);
  CHECK_THAT(lastAdmin.output, Contains("last enabled admin"));
  CHECK(switchboard(env, "users disable rep@example.com").exitCode == 0);

  const auto listed = nlohmann::json::parse(switchboard(env, "users list --json").output);
  REQUIRE(listed.size() == 3);
  std::map<std::string, nlohmann::json> byEmail;
  for (const auto& user : listed) byEmail[user["email"]] = user;
  CHECK(byEmail["Boss@Example.com"]["role"] == "admin");
  CHECK(byEmail["rep@example.com"]["role"] == "supervisor");
  CHECK(byEmail["rep@example.com"]["disabled"] == true);
  CHECK(listed.dump().find("argon2") == std::string::npos);

  auto reset = switchboard(env, "users reset-password piped@example.com --generate-password");
  CHECK(reset.exitCode == 0);
  CHECK_THAT(reset.output, Contains("new password set for piped@example.com") && Contains("Password: "));
  CHECK(switchboard(env, "users reset-password nobody@example.com --generate-password").exitCode == 1);

  // API keys stay agent or admin keys: supervisors are people.
  auto supervisorKey = switchboard(env, "keys create --name sup --role supervisor");
  CHECK(supervisorKey.exitCode == 1);
  CHECK_THAT(supervisorKey.output, Contains("supervisors sign in as people"));
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
  CHECK_THAT(good.output, Contains("Imported 5 contact(s) into list 'Excel'") &&
                              Contains("row 3 (line 3) error [phone]: phone was mangled by Excel"));
  auto none = switchboard(env, "import " + csv + "no_valid_rows.csv");
  CHECK(none.exitCode == 1);
  CHECK_THAT(none.output,
             Contains("Nothing imported: No valid contacts found") && Contains("row 3 (line 3) error [name]"));
  CHECK(switchboard(env, "import /nonexistent.csv").exitCode == 2);
  CHECK(switchboard(env, "import").exitCode == 2);
}

TEST_CASE("cli: import shows the columns when it cannot match them, and --map says which holds what", "[cli]") {
  sb::test::TempDir dir;
  const std::string env = "SWITCHBOARD_DATABASE_PATH=" + (dir / "import.db").string();
  const std::string csv = std::string(SB_SOURCE_DIR) + "/tests/fixtures/csv/unmapped_header.csv";
  auto unmatched = switchboard(env, "import " + csv);
  CHECK(unmatched.exitCode == 1);
  CHECK_THAT(unmatched.output, Contains("Nothing imported: no column found for name, company, phone") &&
                                   Contains("columns found: #1 \"Who\", #2 \"Outfit\", #3 \"Digits\"") &&
                                   Contains("first row: #1 \"Ada Lovelace\", #2 \"Engines\"") &&
                                   Contains("--map phone="));
  auto mapped = switchboard(
      env, "import " + csv + " --map name=Who --map company=#2 --map phone=Digits --map 'phone=Reach Me On'");
  INFO(mapped.output);
  CHECK(mapped.exitCode == 0);
  CHECK_THAT(mapped.output, Contains("Imported 2 contact(s)"));
  auto wrong = switchboard(env, "import " + csv + " --map fax=Digits");
  CHECK(wrong.exitCode == 2);
  CHECK_THAT(wrong.output, Contains("not 'fax'"));
}

TEST_CASE("cli: import reads an .xlsx workbook - the first visible sheet or --sheet", "[cli][xlsx]") {
  sb::test::TempDir dir;
  const std::string env = "SWITCHBOARD_DATABASE_PATH=" + (dir / "import.db").string();
  const auto book = dir / "crm.xlsx";
  std::ofstream(book, std::ios::binary)
      << sb::test::Workbook()
             .sheet("Summary", sb::test::textRow(1, {"Total", "2"}))
             .sheet("Leads", sb::test::textRow(1, {"Full Name", "Account", "Mobile Phone"}) +
                                 sb::test::textRow(2, {"Ada Lovelace", "Engines", "+15551234501"}) +
                                 sb::test::textRow(3, {"Grace Hopper", "Navy", "+15551234502"}))
             .bytes();
  auto first = switchboard(env, "import " + book.string());
  CHECK(first.exitCode == 1);  // "Summary" has no contact columns
  CHECK_THAT(first.output, Contains("Nothing imported: no column found"));
  auto named = switchboard(env, "import " + book.string() + " --sheet Leads --list Book");
  INFO(named.output);
  CHECK(named.exitCode == 0);
  CHECK_THAT(named.output, Contains("Imported 2 contact(s) into list 'Book'") && Contains("sheet 'Leads'"));
  auto unknown = switchboard(env, "import " + book.string() + " --sheet Nope");
  CHECK(unknown.exitCode == 1);
  CHECK_THAT(unknown.output, Contains("its sheets are 'Summary', 'Leads'"));
}

TEST_CASE("cli: a mistyped command or option is refused with the nearest known one", "[cli][config]") {
  auto option = switchboard("", "import x.csv --lsit Leads");
  CHECK(option.exitCode == 2);
  CHECK_THAT(option.output, Contains("unknown option '--lsit' for 'import'; did you mean --list?"));
  auto command = switchboard("", "kyes list");
  CHECK(command.exitCode == 2);
  CHECK_THAT(command.output, Contains("did you mean 'keys'?"));
  auto valueless = switchboard("", "keys create --name");
  CHECK(valueless.exitCode == 2);
  CHECK_THAT(valueless.output, Contains("option --name needs a value"));
  auto flagWithValue = switchboard("", "plugins --json=yes");
  CHECK(flagWithValue.exitCode == 2);
  CHECK_THAT(flagWithValue.output, Contains("--json takes no value"));
  auto badSet = switchboard("", "config show --set http.port");
  CHECK(badSet.exitCode == 2);
  CHECK_THAT(badSet.output, Contains("--set needs KEY=VALUE"));
}

TEST_CASE("cli: config check names every problem with its line and the nearest key, and exits 1", "[cli][config]") {
  sb::test::TempDir dir;
  const auto ini = dir / "bad.ini";
  std::ofstream(ini) << "provider = twilio ; the carrier\n[http]\nprot = 9000\n[log]\nformat = jsno\n"
                        "[provider.twilio]\naccount_sid = AC0123456789abcdef0123456789abcdef\n";
  auto run = switchboard("SWITCHBOARD_LOG_LEVL=debug", "config check --config " + ini.string());
  CHECK(run.exitCode == 1);
  CHECK_THAT(run.output,
             Contains("bad.ini:3: unknown config key 'http.prot'; did you mean 'http.port'?") &&
                 Contains("bad.ini:5: config key 'log.format' must be one of text, json") &&
                 Contains("SWITCHBOARD_LOG_LEVL names no config key; did you mean SWITCHBOARD_LOG_LEVEL?") &&
                 Contains("'provider.twilio.auth_token' is required by the twilio plugin") && Contains("4 problems"));
  // Serving with it is refused with the same reasons, before anything starts.
  auto serve = switchboard("SWITCHBOARD_DATABASE_PATH=" + (dir / "x.db").string(), "serve --config " + ini.string());
  CHECK(serve.exitCode == 2);
  CHECK_THAT(serve.output, Contains("unknown config key 'http.prot'"));
}

TEST_CASE("cli: config check loads the provider with its section and reports its refusal", "[cli][config]") {
  sb::test::TempDir dir;
  const auto ini = dir / "twilio.ini";
  std::ofstream(ini) << "provider = twilio\n[provider.twilio]\naccount_sid = AC123\nauth_token = t\n";
  auto refused = switchboard("", "config check --config " + ini.string());
  CHECK(refused.exitCode == 1);
  CHECK_THAT(refused.output, Contains("provider 'twilio' refused its configuration: config key 'account_sid'"));
  // The undeclared-key foot-gun: the token comes from the environment alone.
  std::ofstream(ini) << "provider = twilio\n[provider.twilio]\naccount_sid = AC0123456789abcdef0123456789abcdef\n";
  auto fixed = switchboard("SWITCHBOARD_PROVIDER_TWILIO_AUTH_TOKEN=tok", "config check --config " + ini.string());
  CHECK(fixed.exitCode == 0);
  CHECK_THAT(fixed.output, Contains("OK (provider twilio)"));
}

TEST_CASE("cli: plugins says whether the active provider starts with its configuration", "[cli][config]") {
  sb::test::TempDir dir;
  const auto ini = dir / "twilio.ini";
  std::ofstream(ini) << "provider = twilio\n[provider.twilio]\naccount_sid = AC123\n";
  auto missing = switchboard("", "plugins --config " + ini.string());
  CHECK(missing.exitCode == 0);
  CHECK_THAT(missing.output, Contains("The active provider 'twilio' would not start with its configuration:") &&
                                 Contains("error: config key 'provider.twilio.auth_token' is required"));
  std::ofstream(ini) << "provider = twilio\n[provider.twilio]\naccount_sid = AC123\nauth_token = t\n";
  auto refused = switchboard("", "plugins --json --config " + ini.string());
  const auto listing = nlohmann::json::parse(refused.output);
  REQUIRE(listing.at("active_config_problems").size() == 1);
  CHECK_THAT(listing.at("active_config_problems")[0].get<std::string>(),
             Contains("provider 'twilio' refused its configuration: config key 'account_sid'"));
  auto fine = switchboard("", "plugins");
  CHECK_THAT(fine.output, Contains("The active provider 'sim' starts with its configuration."));
}

TEST_CASE("cli: config show says where each value came from and never prints a secret", "[cli][config]") {
  sb::test::TempDir dir;
  const auto ini = dir / "show.ini";
  const auto secret = dir / "token";
  std::ofstream(secret) << "file-secret-value\n";
  std::ofstream(ini) << "[http]\nport = 9000 ; uncommented from the sample\n[provider.twilio]\n"
                        "auth_token_file = "
                     << secret.string() << "\n";
  auto run = switchboard("SWITCHBOARD_HTTP_HOST=0.0.0.0 SWITCHBOARD_PROVIDER_TWILIO_API_KEY_SECRET=env-secret-value",
                         "config show --json --set log.level=debug --config " + ini.string());
  REQUIRE(run.exitCode == 0);
  CHECK(run.output.find("secret-value") == std::string::npos);
  const auto shown = nlohmann::json::parse(run.output);
  std::map<std::string, nlohmann::json> byKey;
  for (const auto& row : shown.at("keys")) byKey[row.at("key")] = row;
  CHECK(byKey.at("http.port").at("value") == "9000");
  CHECK(byKey.at("http.port").at("origin") == ini.string() + ":2");
  CHECK(byKey.at("http.host").at("origin") == "env SWITCHBOARD_HTTP_HOST");
  CHECK(byKey.at("log.level").at("origin") == "--set");
  CHECK(byKey.at("log.level").at("value") == "debug");
  CHECK(byKey.at("database.path").at("source") == "default");
  CHECK(byKey.at("provider.twilio.auth_token").at("value") == "********");
  CHECK(byKey.at("provider.twilio.api_key_secret").at("value") == "********");
  CHECK_THAT(byKey.at("provider.twilio.auth_token").at("origin").get<std::string>(), Contains(secret.string()));
  // The active plugin's unset keys, with its defaults.
  CHECK(byKey.at("provider.sim.ring_after_ms").at("value") == "200");
  CHECK(shown.at("problems").empty());
}

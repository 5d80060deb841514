// No password reaches a log line (issue 18, attacks): `switchboard serve`
// at debug level with every request logged, to a file, while people sign
// in right and wrong, are created with chosen passwords and given new ones
// over the API; then the whole log file is searched for every password.
#include "support/ApiClient.h"
#include "support/HttpCall.h"
#include "support/Processes.h"
#include "support/TempDir.h"

#include <catch2/catch.hpp>

#include <spawn.h>
#include <sys/wait.h>

#include <csignal>
#include <filesystem>
#include <fstream>

using Catch::Matchers::Contains;

TEST_CASE("logs: no password reaches the log, whatever people do", "[sessions][cli]") {
  sb::test::TempDir dir;
  const uint16_t port = sb::test::freePort();
  const auto log = dir / "host.log";
  const std::string config = (dir / "switchboard.ini").string();
  std::ofstream(config) << "provider = sim\n[http]\nport = " << port << "\nlog_requests = true\n"
                        << "[database]\npath = " << (dir / "l.db").string()
                        << "\n[plugins]\npath = " << std::filesystem::path(SB_SIM_PLUGIN_DIR).parent_path().string()
                        << "\n"
                        << "[log]\nlevel = debug\nfile = " << log.string() << "\n";
  const std::string keyCommand =
      std::string(SB_SWITCHBOARD_BIN) + " keys create --config " + config + " --name ops --role admin --quiet";
  FILE* pipe = ::popen(keyCommand.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[256] = {};
  REQUIRE(std::fgets(buffer, sizeof buffer, pipe) != nullptr);
  ::pclose(pipe);
  std::string key(buffer);
  key.erase(key.find_last_not_of(" \n") + 1);

  const std::string script =
      "exec " + std::string(SB_SWITCHBOARD_BIN) + " serve --config " + config + " >/dev/null 2>&1";
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  pid_t pid = 0;
  REQUIRE(::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
  REQUIRE(sb::test::eventually(
      [&] {
        try {
          return sb::test::httpCall(port, "GET", "/health").status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(20)));

  const sb::test::ApiClient admin(port, key);
  const std::string chosen = "Chosen-Pass-7731";
  const std::string wrong = "Wrong-Guess-4417";
  const std::string renewed = "Renewed-Pass-9025";
  auto signIn = [&](const std::string& email, const std::string& password) {
    return sb::test::httpCall(port, "POST", "/api/v1/session", {{"Content-Type", "application/json"}},
                              nlohmann::json{{"email", email}, {"password", password}}.dump())
        .status;
  };
  const auto created =
      admin.post("/api/v1/users", {{"email", "pat@example.com"}, {"name", "Pat"}, {"password", chosen}});
  REQUIRE(created.status == 201);
  const auto generated = admin.post("/api/v1/users", {{"email", "gen@example.com"}, {"name", "Gen"}});
  REQUIRE(generated.status == 201);
  const std::string made = generated.json["password"];
  CHECK(signIn("pat@example.com", wrong) == 401);
  CHECK(signIn("nobody@example.com", wrong) == 401);
  CHECK(signIn("pat@example.com", chosen) == 200);
  CHECK(signIn("gen@example.com", made) == 200);
  CHECK(admin.post("/api/v1/users/pat@example.com/password", {{"password", renewed}}).status == 200);
  CHECK(admin.post("/api/v1/users", {{"email", "bad@example.com"}, {"name", "Bad"}, {"password", "password123"}})
            .status == 400);

  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const std::string logged = sb::test::slurp(log);
  // The log did record what happened (so searching it means something) ...
  CHECK_THAT(logged, Contains("failed sign-in"));
  CHECK_THAT(logged, Contains("route=users.create"));
  CHECK_THAT(logged, Contains("route=session.create"));
  // ... and none of the passwords.
  for (const std::string& secret : {chosen, wrong, renewed, made, std::string("password123")}) {
    INFO(secret);
    CHECK(logged.find(secret) == std::string::npos);
  }
}

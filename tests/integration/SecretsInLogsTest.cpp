// No password reaches a log line (issue 18, attacks): `switchboard serve`
// at debug level with every request logged, to a file, while people sign
// in right and wrong, are created with chosen passwords and given new ones
// over the API; then the whole log file is searched for every password.
#include "support/ApiClient.h"
#include "support/HttpCall.h"
#include "support/Processes.h"
#include "support/TempDir.h"

#include <catch2/catch.hpp>

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
  const std::string key = sb::test::createKeyWithCli(config, "ops", "admin");
  const pid_t pid = sb::test::startServe(config, port);

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

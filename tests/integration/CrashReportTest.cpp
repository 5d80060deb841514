// A plugin that crashes takes the host down (it runs in the host's process),
// but the host says which plugin and operation were running, on stderr and
// in its log file, and the process still ends by the plugin's signal.
#include "support/ApiClient.h"
#include "support/HttpCall.h"
#include "support/Processes.h"
#include "support/TempDir.h"

#include <switchboard/core/plugin/CrashReport.h>

#include <catch2/catch.hpp>

#include <Poco/Net/ServerSocket.h>

#include <sys/wait.h>

#include <csignal>
#include <fstream>
#include <sstream>

using Catch::Matchers::Contains;

using sb::test::slurp;

namespace {}  // namespace

TEST_CASE("crash report: the line names the plugin and the operation, and nests", "[crash]") {
  CHECK_THAT(sb::core::crashLine(SIGSEGV), Contains("fatal SIGSEGV outside any plugin call"));
  {
    const sb::core::PluginCallScope outer("twilio", "call.start");
    CHECK_THAT(sb::core::crashLine(SIGABRT), Contains("fatal SIGABRT in plugin 'twilio' during 'call.start'"));
    {
      const sb::core::PluginCallScope inner("sim", "on_webhook");
      CHECK_THAT(sb::core::crashLine(SIGSEGV), Contains("in plugin 'sim' during 'on_webhook'"));
    }
    CHECK_THAT(sb::core::crashLine(SIGSEGV), Contains("in plugin 'twilio' during 'call.start'"));
  }
  CHECK_THAT(sb::core::crashLine(SIGSEGV), Contains("outside any plugin call"));
}

TEST_CASE("crash report: a plugin that aborts mid-operation is named on stderr and in the log file", "[crash][cli]") {
  sb::test::TempDir dir;
  const uint16_t port = [] {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    return probe.address().port();
  }();
  const auto log = dir / "host.log";
  const auto stderrFile = dir / "stderr.txt";
  std::ofstream(dir / "switchboard.ini") << "provider = cprov_crashing_invoke\n[http]\nport = " << port
                                         << "\nlog_requests = false\n[database]\npath = " << (dir / "c.db").string()
                                         << "\n[plugins]\npath = " << SB_FIXTURE_PLUGINS << "\n"
                                         << "[log]\nfile = " << log.string() << "\n";
  const std::string config = (dir / "switchboard.ini").string();
  // An admin key, made by the CLI against the same database.
  const std::string key = sb::test::createKeyWithCli(config, "ops", "admin");
  const pid_t pid = sb::test::startServe(config, port, "2>" + stderrFile.string() + " >/dev/null");

  try {
    sb::test::httpCall(port, "POST", "/api/v1/calls", {{"X-API-Key", key}, {"Content-Type", "application/json"}},
                       R"({"to":"+12015550123"})");
  } catch (const std::exception&) {
    // the host died before it answered: expected
  }
  int status = 0;
  const bool died =
      sb::test::eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, std::chrono::seconds(20));
  if (!died) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  REQUIRE(died);
  // The process still ends by the plugin's own signal.
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  const std::string expected = "fatal SIGABRT in plugin 'cprov_crashing_invoke' during 'call.start'";
  CHECK_THAT(slurp(stderrFile), Contains(expected));
  const std::string logged = slurp(log);
  CHECK_THAT(logged, Contains(expected));
  // Lines logged before the crash reached the file too.
  CHECK_THAT(logged, Contains("provider 'cprov_crashing_invoke' ready"));
}

// `switchboard serve` as systemd would start it, with an open-file limit
// far below http.max_connections: the host sizes its connection budget to
// the limit and says so, holds to it under a flood of connections without a
// log line per refusal, and serves again once they are given back.
#include "support/ApiClient.h"
#include "support/HttpCall.h"
#include "support/Processes.h"
#include "support/TempDir.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>

using Catch::Matchers::Contains;

extern char** environ;

using sb::test::freePort;
using sb::test::slurp;

namespace {

size_t countOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

/// The host in a shell whose open-file limit (soft and hard) is `files`.
class LimitedHost {
 public:
  LimitedHost(const sb::test::TempDir& dir, int files) : port_(freePort()), log_(dir / "serve.log") {
    const std::string env = "SWITCHBOARD_DATABASE_PATH=" + (dir / "limits.db").string() +
                            " SWITCHBOARD_HTTP_PORT=" + std::to_string(port_) +
                            " SWITCHBOARD_HTTP_LOG_REQUESTS=false SWITCHBOARD_LOG_FILE=" + log_.string();
    const std::string keyCommand = "env " + env + " " + SB_SWITCHBOARD_BIN + " keys create --name rep --quiet";
    FILE* pipe = ::popen(keyCommand.c_str(), "r");
    char buffer[256] = {};
    REQUIRE(std::fgets(buffer, sizeof buffer, pipe) != nullptr);
    ::pclose(pipe);
    key = std::string(buffer);
    key.erase(key.find_last_not_of(" \n") + 1);
    const std::string script =
        "ulimit -n " + std::to_string(files) + " && exec env " + env + " " + SB_SWITCHBOARD_BIN + " serve";
    const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
    REQUIRE(::posix_spawn(&pid_, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
    REQUIRE(sb::test::eventually(
        [this] {
          try {
            return sb::test::httpCall(port_, "GET", "/health").status == 200;
          } catch (const std::exception&) {
            return false;
          }
        },
        std::chrono::seconds(20)));
  }
  ~LimitedHost() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }

  uint16_t port() const { return port_; }
  std::string log() const { return slurp(log_); }
  bool alive() const { return ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  std::string key;

 private:
  uint16_t port_;
  std::filesystem::path log_;
  pid_t pid_ = 0;
};

}  // namespace

TEST_CASE("serve: an open-file limit below the connection budget is met without a spin", "[cli][limits]") {
  sb::test::TempDir dir;
  LimitedHost host(dir, 96);
  CHECK_THAT(host.log(), Contains("http.max_connections 4096 lowered to"));

  // Each stream's socket leaves the connection budget for the stream hub:
  // enough of them exhaust the descriptors themselves.
  std::vector<std::unique_ptr<sb::test::EventStreamClient>> streams;
  for (int i = 0; i < 120; ++i) {
    streams.push_back(std::make_unique<sb::test::EventStreamClient>(host.port(), host.key));
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  CHECK(host.alive());
  const std::string during = host.log();
  // The budget holds the descriptors back: said once per interval (the
  // running-out case itself: HttpServerTest), never a line per attempt.
  INFO(during);
  CHECK(countOf(during, "connections are open (http.max_connections)") == 1);
  CHECK(countOf(during, "accepting connections failed") <= 2);

  streams.clear();
  CHECK(sb::test::eventually(
      [&] {
        try {
          return sb::test::httpCall(host.port(), "GET", "/health").status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(20)));
  CHECK(host.alive());
}

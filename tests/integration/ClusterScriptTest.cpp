// scripts/cluster.sh as a person runs it (issue 16): a throwaway PostgreSQL,
// two hosts and HAProxy in front; then the admin board's load through the
// one URL it prints, landing on both hosts, with no error; then Ctrl-C
// stops everything and leaves nothing behind.
#include "support/ApiClient.h"
#include "support/LoadShape.h"
#include "support/Processes.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <spawn.h>
#include <sys/wait.h>

using sb::test::ApiClient;
using sb::test::freePort;
using sb::test::slurp;

extern char** environ;

namespace {

std::string capture(const std::string& text, const std::string& pattern) {
  std::smatch match;
  return std::regex_search(text, match, std::regex(pattern)) ? match[1].str() : std::string();
}

/// The cold-call requests a host answered, from its /metrics.
double coldCallRequests(uint16_t port) {
  const auto reply = ApiClient(port, "").get("/metrics");
  double total = 0;
  std::istringstream lines(reply.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("switchboard_http_requests_total{", 0) == 0 && line.find("route=\"coldcall.") != std::string::npos) {
      total += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return total;
}

}  // namespace

TEST_CASE("cluster: scripts/cluster.sh serves 50 admin-board users through HAProxy on both hosts with no error",
          "[cluster-script]") {
  const std::filesystem::path out =
      std::filesystem::temp_directory_path() / ("sb-cluster-test-" + std::to_string(::getpid()) + ".out");
  const uint16_t port = freePort();
  // 60 s as the issue asks; SB_CLUSTER_LOAD_SECONDS shortens it by hand.
  const char* configured = std::getenv("SB_CLUSTER_LOAD_SECONDS");
  const int seconds = configured != nullptr ? std::atoi(configured) : 60;
  // The per-key limits protect a human-driven board; the load test drives
  // 50 users through one key (as bench/coldcall_bench.sh does).
  const std::filesystem::path ini = out.string() + ".ini";
  std::ofstream(ini) << "[ratelimit]\ncoldcall.initiate = 1000000\ncoldcall.status = 1000000\n"
                        "coldcall.end = 1000000\n[http]\nlog_requests = false\n[log]\nlevel = warn\n";
  const std::string script = std::string("exec env SB_CLUSTER_PORT=") + std::to_string(port) + " " + SB_SOURCE_DIR +
                             "/scripts/cluster.sh --build-dir " + SB_BUILD_DIR + " --config " + ini.string() + " > " +
                             out.string() + " 2>&1";
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  pid_t pid = 0;
  REQUIRE(::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
  const bool started = sb::test::eventually(
      [&] { return slurp(out).find("Stop:") != std::string::npos || ::waitpid(pid, nullptr, WNOHANG) != 0; },
      std::chrono::seconds(90));
  const std::string banner = slurp(out);
  INFO(banner);
  REQUIRE(started);
  const std::string key = capture(banner, R"(API key:\s+(\S+))");
  const std::string work = capture(banner, R"(logs in (/tmp/sb-cluster\.\w+))");
  const std::string hosts = capture(banner, R"(Hosts:\s+(http://\S+\s+http://\S+))");
  REQUIRE_FALSE(key.empty());
  REQUIRE_FALSE(work.empty());
  const auto hostA = static_cast<uint16_t>(std::stoi(capture(hosts, R"(:(\d+)\s)")));
  const auto hostB = static_cast<uint16_t>(std::stoi(capture(hosts, R"(:(\d+)$)")));
  CHECK(capture(banner, R"(URL:\s+(\S+))") == "http://127.0.0.1:" + std::to_string(port));

  // The original load test's shape: 50 users on one admin key, initiate,
  // status and end at 3:1:1, 1-3 s between tasks, all through HAProxy.
  sb::test::LoadShape shape;
  shape.users = 50;
  shape.duration = std::chrono::seconds(seconds);
  shape.thinkMin = std::chrono::milliseconds(1000);
  shape.thinkMax = std::chrono::milliseconds(3000);
  shape.firstNumber = 3000000;
  const sb::test::LoadResult load = sb::test::runOriginalShape(port, key, shape);
  INFO(load.failures.size() << " failures; the first: "
                            << (load.failures.empty() ? std::string() : load.failures.front()));
  CHECK(load.failures.empty());
  CHECK(load.requests >= shape.users * seconds / 4);  // about one request per user every 2 s
  // HAProxy spread the users over both hosts.
  const double onA = coldCallRequests(hostA);
  const double onB = coldCallRequests(hostB);
  WARN(shape.users << " users, " << seconds << " s: " << load.requests << " requests, " << load.failures.size()
                   << " errors; host A answered " << onA << ", host B " << onB);
  CHECK(onA > load.requests / 4);
  CHECK(onB > load.requests / 4);

  // Ctrl-C stops everything and leaves nothing behind.
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(std::filesystem::exists(work));
  CHECK_THROWS(ApiClient(port, key).get("/ready"));
  CHECK_THROWS(ApiClient(hostA, key).get("/ready"));
  std::filesystem::remove(out);
  std::filesystem::remove(ini);
}

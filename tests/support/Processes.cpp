#include "support/Processes.h"

#include "support/ApiClient.h"
#include "support/HttpCall.h"

#include <catch2/catch.hpp>

#include <Poco/Net/ServerSocket.h>

#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>

#include <fstream>
#include <sstream>

namespace sb::test {

Run runCommand(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  Run run;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) run.output.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

Run runSwitchboard(const std::string& args) {
  return runCommand(std::string(SB_SWITCHBOARD_BIN) + " " + args);
}

uint16_t freePort() {
  Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
  return probe.address().port();
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string createKeyWithCli(const std::string& config, const std::string& name, const std::string& role) {
  const std::string command = std::string(SB_SWITCHBOARD_BIN) + " keys create --config " + config + " --name " + name +
                              " --role " + role + " --quiet";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[256] = {};
  const bool read = std::fgets(buffer, sizeof buffer, pipe) != nullptr;
  ::pclose(pipe);
  REQUIRE(read);
  std::string key(buffer);
  key.erase(key.find_last_not_of(" \n") + 1);
  return key;
}

pid_t startServe(const std::string& config, uint16_t port, const std::string& redirect) {
  const std::string script = "exec " + std::string(SB_SWITCHBOARD_BIN) + " serve --config " + config + " " + redirect;
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  pid_t pid = 0;
  REQUIRE(::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
  REQUIRE(eventually(
      [&] {
        try {
          return httpCall(port, "GET", "/health").status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(20)));
  return pid;
}

}  // namespace sb::test

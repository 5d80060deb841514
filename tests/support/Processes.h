#pragma once

// What the tests that run `switchboard` (or a script) as a process of its
// own share: a free port to give it, and its files to read back.

#include <cstdint>
#include <filesystem>
#include <string>

#include <sys/types.h>

namespace sb::test {

/// A command's exit code (-1 when it did not exit) and its output.
struct Run {
  int exitCode = -1;
  std::string output;
};

/// Runs `command` through /bin/sh with stderr joined to stdout.
Run runCommand(const std::string& command);
/// `switchboard ARGS`, the binary this build made.
Run runSwitchboard(const std::string& args);

/// A port nothing listens on now (the kernel's pick).
uint16_t freePort();
/// The whole file (empty when it does not exist).
std::string slurp(const std::filesystem::path& file);

/// A new API key made by `switchboard keys create` against `config`'s database.
std::string createKeyWithCli(const std::string& config, const std::string& name, const std::string& role);

/// `switchboard serve --config CONFIG` as a process of its own (through
/// /bin/sh, so `redirect` may send its output to files), once /health on
/// `port` answers; REQUIREs that it does within 20 s. Returns its pid.
pid_t startServe(const std::string& config, uint16_t port, const std::string& redirect = ">/dev/null 2>&1");

}  // namespace sb::test

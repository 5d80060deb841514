#pragma once

#include <string>
#include <vector>

namespace sb::host::cli {

/// Parsed command line: the subcommand, its positional words and its
/// --name value / --name=value / --flag options.
struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;

  bool flag(const std::string& name) const;
  std::string option(const std::string& name, const std::string& fallback = {}) const;
};

/// Throws std::invalid_argument with a message for the user.
Args parse(int argc, char** argv);

int run(int argc, char** argv, char** environment);

int serve(const Args& args, char** environment, const std::string& argv0);
int plugins(const Args& args, char** environment, const std::string& argv0);
int keys(const Args& args, char** environment);
int migrate(const Args& args, char** environment);
int import(const Args& args, char** environment);

/// The folder holding the running executable (for plugin discovery).
std::string executableDir(const std::string& argv0);

}  // namespace sb::host::cli

#pragma once

#include "app/ConfigLoader.h"

#include <switchboard/core/audit/AuditLog.h>

#include <string>
#include <vector>

namespace sb::host::cli {

/// A parsed command line: the command, its positional words and its
/// options (each checked against the command's own Poco::Util::OptionSet).
struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  ///< full name -> value ("" for a flag), in order
  std::string argv0;

  bool flag(const std::string& name) const;
  /// The last value given for `name`, else `fallback`.
  std::string option(const std::string& name, const std::string& fallback = {}) const;
  /// --config, every --set and the environment, for loadSettings().
  ConfigRequest configRequest(char** environment) const;
};

/// A command line the user must fix (exit 2 with the message).
class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Throws UsageError naming the unknown command or option and the nearest
/// known one, a missing or unexpected option value, or a repeated option.
Args parse(int argc, char** argv);

int run(int argc, char** argv, char** environment);

int serve(const Args& args, char** environment);
int plugins(const Args& args, char** environment);
int keys(const Args& args, char** environment);
int users(const Args& args, char** environment);
int migrate(const Args& args, char** environment);
int import(const Args& args, char** environment);
int config(const Args& args, char** environment);
int db(const Args& args, char** environment);
int conformanceCommand(const Args& args, char** environment);

/// An audit entry for what a command did: the actor is "cli", named by the
/// command and the operating-system user who ran it.
core::AuditEntry cliAuditEntry(const std::string& command, std::string action, std::string target,
                               nlohmann::json details = nlohmann::json::object());

/// The folder holding the running executable (for plugin discovery).
std::string executableDir(const std::string& argv0);

}  // namespace sb::host::cli

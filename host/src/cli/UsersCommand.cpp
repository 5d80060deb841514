// switchboard users ...: the people who sign in (docs/TEAM.md). A password
// comes from a prompt (no echo, typed twice), a file (--password-file;
// /dev/stdin for a pipe) or is generated and shown once; never from the
// command line, where every user of the machine can read it.

#include "app/ConfigKeys.h"
#include "app/ConfigLoader.h"
#include "cli/Cli.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/storage/Database.h>
#include <switchboard/core/text/Time.h>
#include <switchboard/core/users/Passwords.h>
#include <switchboard/core/users/SqlSignInRepository.h>
#include <switchboard/core/users/SqlUserRepository.h>
#include <switchboard/core/users/UserService.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>

#include <termios.h>
#include <unistd.h>

namespace sb::host::cli {
namespace {

/// One line typed at the terminal without echo.
std::string promptHidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios saved{};
  tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::cerr << "\n";
  return line;
}

struct NewPassword {
  std::string password;
  bool generated = false;
};

NewPassword readPassword(const Args& args, const std::string& command) {
  if (args.flag("generate-password")) {
    if (!args.option("password-file").empty()) {
      throw UsageError(command + ": give --password-file or --generate-password, not both");
    }
    return {core::passwords::generate(), true};
  }
  if (const std::string file = args.option("password-file"); !file.empty()) {
    std::ifstream in(file);
    if (!in) {
      // The value is not repeated: it may be a password typed in the wrong place.
      throw UsageError(command +
                       ": cannot read the file given to --password-file (the password goes in a file, "
                       "never on the command line)");
    }
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return {line, false};
  }
  if (isatty(STDIN_FILENO) == 0) {
    throw UsageError(command +
                     ": no terminal to ask the password at; give --password-file FILE (/dev/stdin for a pipe) or "
                     "--generate-password (a password is never taken from the command line)");
  }
  const std::string first =
      promptHidden("Password (" + std::to_string(core::passwords::kMinLength) + "+ characters): ");
  const std::string again = promptHidden("The same again: ");
  if (first != again) {
    throw UsageError(command + ": the two passwords differ");
  }
  return {first, false};
}

std::string required(const Args& args, const std::string& name, const std::string& command) {
  std::string value = args.option(name);
  if (value.empty()) {
    throw UsageError(command + ": --" + name + " is required");
  }
  return value;
}

std::string target(const Args& args, const std::string& command) {
  if (args.positional.size() < 2) {
    throw UsageError(command + ": give the user's EMAIL (or id)");
  }
  return args.positional[1];
}

void printGenerated(const NewPassword& password) {
  if (password.generated) {
    std::cout << "Password: " << password.password << "\n"
              << "Hand it over now: it is stored hashed and cannot be shown again.\n";
  }
}

core::Role roleFrom(const std::string& text, const std::string& command) {
  try {
    return core::parseRole(text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(command + ": " + e.what());
  }
}

void printList(const std::vector<core::UserRecord>& users, bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& user : users) {
      out.push_back({{"id", user.id},
                     {"email", user.email},
                     {"name", user.displayName},
                     {"role", user.role},
                     {"disabled", user.disabled},
                     {"created_at_ms", user.createdAt},
                     {"last_sign_in_at_ms", user.lastSignInAt ? nlohmann::json(*user.lastSignInAt) : nullptr}});
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  if (users.empty()) {
    std::cout << "no users; create the first admin with: switchboard users create --email EMAIL --name NAME "
                 "--role admin\n";
    return;
  }
  std::cout << std::left << std::setw(22) << "ID" << std::setw(11) << "ROLE" << std::setw(10) << "STATE"
            << std::setw(22) << "LAST SIGN-IN" << std::setw(34) << "EMAIL"
            << "NAME\n";
  for (const auto& user : users) {
    std::cout << std::left << std::setw(22) << user.id << std::setw(11) << user.role << std::setw(10)
              << (user.disabled ? "disabled" : "active") << std::setw(22)
              << (user.lastSignInAt ? core::formatUtc(*user.lastSignInAt / 1000) : "never") << std::setw(34)
              << user.email << user.displayName << "\n";
  }
}

}  // namespace

int users(const Args& args, char** environment) {
  const core::Settings settings = loadSettings(args.configRequest(environment));
  core::Database database(databaseTarget(settings), core::DatabaseOptions{0});
  database.migrate();
  core::SqlUserRepository repository(database);
  core::UserService service(repository);
  core::AuditLog audit(database);

  const std::string action = args.positional.empty() ? "" : args.positional[0];
  const std::string command = "users " + action;
  try {
    if (action == "create") {
      core::NewUser user;
      user.email = required(args, "email", command);
      user.displayName = required(args, "name", command);
      user.role = roleFrom(args.option("role", "agent"), command);
      const NewPassword password = readPassword(args, command);
      user.password = password.password;
      const auto created = service.create(user);
      audit.record(cliAuditEntry("users", "user.created", created.email, {{"role", created.role}}));
      std::cout << "Created " << created.role << " " << created.email << " (id " << created.id << ")\n";
      printGenerated(password);
      return 0;
    }
    if (action == "list") {
      printList(service.list(), args.flag("json"));
      return 0;
    }
    if (action == "disable" || action == "enable") {
      const auto user = service.setDisabled(target(args, command), action == "disable");
      audit.record(cliAuditEntry("users", user.disabled ? "user.disabled" : "user.enabled", user.email));
      std::cout << (user.disabled ? "disabled " : "enabled ") << user.email << "\n";
      return 0;
    }
    if (action == "set-role") {
      if (args.positional.size() < 3) {
        throw UsageError(command + ": give the user's EMAIL and the ROLE (agent, supervisor or admin)");
      }
      const auto before = service.find(args.positional[1]);
      const auto user = service.setRole(before.id, roleFrom(args.positional[2], command));
      audit.record(cliAuditEntry("users", "user.role_changed", user.email, {{"from", before.role}, {"to", user.role}}));
      std::cout << user.email << " is now " << user.role << "\n";
      return 0;
    }
    if (action == "reset-password") {
      const std::string who = target(args, command);
      const auto existing = service.find(who);  // before asking for a password
      const NewPassword password = readPassword(args, command);
      const auto user = service.resetPassword(existing.id, password.password);
      // Whoever knew the old password is signed out everywhere.
      core::SqlSignInRepository(database).deleteSessionsOf(user.id);
      audit.record(cliAuditEntry("users", "user.password_reset", user.email));
      std::cout << "new password set for " << user.email << "; their sessions are ended\n";
      printGenerated(password);
      return 0;
    }
  } catch (const core::DomainError& e) {
    std::cerr << "switchboard: " << command << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "switchboard users: expected 'create', 'list', 'disable', 'enable', 'set-role' or 'reset-password'\n";
  return 2;
}

}  // namespace sb::host::cli

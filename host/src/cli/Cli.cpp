#include "cli/Cli.h"
#include "app/ConfigKeys.h"

#include <switchboard/abi/provider_abi.h>
#include <switchboard/core/config/ConfigKey.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/storage/Database.h>
#include <switchboard/version.h>

#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <Poco/Util/OptionSet.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <stdexcept>
#include <vector>

#include <pwd.h>
#include <unistd.h>

namespace sb::host::cli {
namespace {

constexpr const char* kUsage = R"(switchboard - plugin-based telephony host and cold-call dialer

Usage: switchboard <command> [options]

Commands:
  serve                      run the HTTP API, webhooks and the dialer page
  plugins [ID...] [--all] [--json]
                             list discovered plugins; load the active provider and
                             the ids named (or all) to show their ABI and
                             capabilities; every refused plugin with the reason
  conformance PLUGIN [--fixture FILE] [--json] [--strict]
                             certify a provider plugin (its folder or its id) with
                             its section of the config: every operation, bad
                             requests, and signed, redelivered, unsigned, tampered
                             and stale webhooks from FILE, all checked against the
                             SDK's schemas; exits 1 when a check fails (--strict:
                             or was skipped). See sdk/docs/CONFORMANCE.md
  import FILE [--list NAME] [--map FIELD=COLUMN]... [--sheet NAME] [--stats]
                             import a contacts CSV or Excel workbook (.xlsx: the first
                             visible sheet, or --sheet NAME) into a new list, with a
                             row report; exits 1 when nothing was imported. Columns are matched
                             by name and synonyms ("Mobile Phone", "First Name" +
                             "Last Name", "Company Name"...); --map says which column
                             holds a field: phone="Mobile Phone", name=#2 (a number),
                             repeated for several phones or first + last name
  keys create --name NAME [--role admin|agent] [--quiet]
                             create an API key (printed once, stored hashed)
  keys list                  list API keys (never the keys themselves)
  keys revoke ID|PREFIX      revoke an API key
  users create --email EMAIL --name NAME [--role agent|supervisor|admin]
               [--password-file FILE | --generate-password]
                             add a person who signs in (the password is asked for
                             at the terminal, read from FILE or generated and shown
                             once; never given on the command line)
  users list [--json]        list people (never their passwords)
  users disable|enable EMAIL stop or restore a person's access
  users set-role EMAIL ROLE  make a person an agent, supervisor or admin
  users reset-password EMAIL [--password-file FILE | --generate-password]
  config show [--json]       the effective configuration, where each value came
                             from (default, file:line, env, --set), secrets masked
  config check               exit 1 with every problem: unknown keys, bad values,
                             the provider missing or a required key unset
  config keys [--markdown]   every key the host and the found plugins declare
  migrate                    apply pending database migrations
  db copy --to URL           copy every row of the configured database into another,
                             empty one (SQLite to PostgreSQL: docs/SCALING.md)
  version                    print the version

Options of every command:
  --config FILE              INI config file (default: $SWITCHBOARD_CONFIG, else ./switchboard.ini)
  --set KEY=VALUE            set a config key, over the file and the environment (repeatable)
  --help                     show this help

Every config key can be overridden from the environment: key http.port is
SWITCHBOARD_HTTP_PORT, provider.twilio.auth_token is
SWITCHBOARD_PROVIDER_TWILIO_AUTH_TOKEN. See docs/CONFIGURATION.md.
)";

using Poco::Util::Option;
using Poco::Util::OptionSet;

struct CommandSpec {
  std::vector<Option> options;
};

Option flag(const std::string& name, const std::string& what) {
  return Option(name, "", what).required(false).repeatable(false);
}

Option valued(const std::string& name, const std::string& argument, const std::string& what, bool repeatable = false) {
  return Option(name, "", what).required(false).repeatable(repeatable).argument(argument);
}

const std::map<std::string, CommandSpec>& commands() {
  static const std::map<std::string, CommandSpec> specs = {
      {"serve", {}},
      {"plugins", {{flag("all", "load every plugin"), flag("json", "print JSON")}}},
      {"conformance",
       {{valued("fixture", "FILE", "the webhooks the carrier sends, and how it signs them"), flag("json", "print JSON"),
         flag("strict", "a skipped check fails too"), valued("to", "E164", "the contact's number in call.start"),
         valued("from", "E164", "the caller ID in call.start"),
         valued("settle-ms", "MS", "wait after call.start before the webhooks"),
         flag("verbose", "show the plugin's log lines")}}},
      {"import",
       {{valued("list", "NAME", "the new list's name"),
         valued("map", "FIELD=COLUMN", "the column that holds a field", true),
         valued("sheet", "NAME", "a workbook's sheet (default: the first visible one)"),
         flag("stats", "print timings")}}},
      {"keys",
       {{valued("name", "NAME", "the key's name (its agent)"), valued("role", "ROLE", "admin or agent"),
         flag("quiet", "print the key only")}}},
      {"users",
       {{valued("email", "EMAIL", "the person's email"), valued("name", "NAME", "the person's name"),
         valued("role", "ROLE", "agent, supervisor or admin"),
         valued("password-file", "FILE", "read the password from the first line of FILE"),
         flag("generate-password", "generate a password and show it once"), flag("json", "print JSON")}}},
      {"config", {{flag("json", "print JSON"), flag("markdown", "print the docs' tables")}}},
      {"migrate", {}},
      {"db", {{valued("to", "URL", "the database to copy into")}}},
      {"version", {}},
      {"help", {}},
  };
  return specs;
}

OptionSet optionSetFor(const CommandSpec& spec) {
  OptionSet set;
  set.addOption(valued("config", "FILE", "INI config file"));
  set.addOption(valued("set", "KEY=VALUE", "set a config key", true));
  set.addOption(Option("help", "h", "show this help").required(false).repeatable(true));
  for (const auto& option : spec.options) {
    set.addOption(option);
  }
  return set;
}

std::string nearestOption(const std::string& word, const OptionSet& set) {
  std::vector<std::string> names;
  for (const auto& option : set) {
    names.push_back(option.fullName());
  }
  const std::string near = core::nearestWord(word, names);
  return near.empty() ? "" : "; did you mean --" + near + "?";
}

/// Poco words its messages "name requires ARG": the option's name.
std::string firstWord(const std::string& text) {
  return text.substr(0, text.find(' '));
}

}  // namespace

bool Args::flag(const std::string& name) const {
  return std::any_of(options.begin(), options.end(), [&](const auto& option) { return option.first == name; });
}

std::string Args::option(const std::string& name, const std::string& fallback) const {
  std::string value = fallback;
  for (const auto& [key, given] : options) {
    if (key == name) {
      value = given;
    }
  }
  return value;
}

ConfigRequest Args::configRequest(char** environment) const {
  ConfigRequest request;
  request.path = option("config");
  request.environment = environment;
  request.executableDir = executableDir(argv0);
  for (const auto& [key, value] : options) {
    if (key != "set") {
      continue;
    }
    const auto eq = value.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError("--set needs KEY=VALUE, got '" + value + "'");
    }
    request.sets.emplace_back(value.substr(0, eq), value.substr(eq + 1));
  }
  return request;
}

Args parse(int argc, char** argv) {
  Args args;
  args.argv0 = argc > 0 ? argv[0] : "switchboard";
  int first = 1;
  if (argc > 1) {
    const std::string word = argv[1];
    if (word == "--help" || word == "-h") {
      args.command = "help";
      first = 2;
    } else if (word == "--version") {
      args.command = "version";
      first = 2;
    } else if (!word.empty() && word[0] == '-') {
      throw UsageError("the command comes first: switchboard <command> [options] (got '" + word + "')");
    } else {
      args.command = word;
      first = 2;
    }
  }
  if (args.command.empty()) {
    return args;
  }
  const auto spec = commands().find(args.command);
  if (spec == commands().end()) {
    std::vector<std::string> names;
    for (const auto& [name, unused] : commands()) {
      names.push_back(name);
    }
    const std::string near = core::nearestWord(args.command, names);
    throw UsageError("unknown command '" + args.command + "'" +
                     (near.empty() ? std::string() : "; did you mean '" + near + "'?"));
  }
  const OptionSet set = optionSetFor(spec->second);
  Poco::Util::OptionProcessor processor(set);
  processor.setUnixStyle(true);
  for (int i = first; i < argc; ++i) {
    const std::string word = argv[i];
    std::string name;
    std::string value;
    try {
      if (processor.process(word, name, value)) {
        if (!name.empty()) {
          args.options.emplace_back(name, value);
        }
        continue;
      }
    } catch (const Poco::Util::UnknownOptionException&) {
      const std::string bare = word.substr(word.find_first_not_of('-'), word.find('=') - word.find_first_not_of('-'));
      throw UsageError("unknown option '" + word + "' for '" + args.command + "'" + nearestOption(bare, set));
    } catch (const Poco::Util::AmbiguousOptionException& e) {
      throw UsageError("option '" + word + "' is ambiguous for '" + args.command + "' (" + e.message() +
                       "); write it in full");
    } catch (const Poco::Util::MissingArgumentException& e) {
      throw UsageError("option --" + firstWord(e.message()) + " needs a value");
    } catch (const Poco::Util::UnexpectedArgumentException&) {
      throw UsageError("option " + word.substr(0, word.find('=')) + " takes no value (got '" + word + "')");
    } catch (const Poco::Util::DuplicateOptionException& e) {
      throw UsageError("option --" + e.message() + " is given twice");
    } catch (const Poco::Util::OptionException& e) {
      throw UsageError(e.displayText());
    }
    args.positional.push_back(word);
  }
  try {
    processor.checkRequired();
  } catch (const Poco::Util::MissingArgumentException& e) {
    throw UsageError("option --" + firstWord(e.message()) + " needs a value");
  } catch (const Poco::Util::OptionException& e) {
    throw UsageError(e.displayText());
  }
  return args;
}

std::string executableDir(const std::string& argv0) {
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    self = std::filesystem::absolute(argv0);
  }
  return self.parent_path().string();
}

int run(int argc, char** argv, char** environment) {
  Args args;
  try {
    args = parse(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "switchboard: " << e.what() << "\n(switchboard --help lists the commands and options)\n";
    return 2;
  }
  if (args.command.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (args.command == "help" || args.flag("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (args.command == "version") {
    std::cout << "switchboard " << SB_VERSION << " (provider ABI " << SB_ABI_MAJOR << "." << SB_ABI_MINOR << ")\n";
    return 0;
  }
  static const std::map<std::string, std::function<int(const Args&, char**)>> handlers = {
      {"serve", serve},   {"plugins", plugins}, {"keys", keys},
      {"users", users},   {"migrate", migrate}, {"import", import},
      {"config", config}, {"db", db},           {"conformance", conformanceCommand},
  };
  try {
    return handlers.at(args.command)(args, environment);
  } catch (const UsageError& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 2;
  } catch (const core::ConfigError& e) {
    std::cerr << "switchboard: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 1;
  }
}

core::AuditEntry cliAuditEntry(const std::string& command, std::string action, std::string target,
                               nlohmann::json details) {
  core::AuditEntry entry;
  entry.actor = "cli";
  passwd account{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  const uid_t uid = ::geteuid();
  const bool named = ::getpwuid_r(uid, &account, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
                     account.pw_name != nullptr;
  entry.actorName = "switchboard " + command + " (run by " +
                    (named ? std::string(account.pw_name) : "uid " + std::to_string(uid)) + ")";
  entry.action = std::move(action);
  entry.target = std::move(target);
  entry.details = std::move(details);
  return entry;
}

int migrate(const Args& args, char** environment) {
  const core::Settings settings = loadSettings(args.configRequest(environment));
  core::Database database(databaseTarget(settings));
  const int applied = database.migrate();
  std::cout << "database " << database.displayName() << ": applied " << applied << " migration(s); schema version "
            << database.schemaVersion() << "\n";
  return 0;
}

}  // namespace sb::host::cli

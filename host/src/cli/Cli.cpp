#include "cli/Cli.h"

#include "app/Defaults.h"

#include <switchboard/abi/provider_abi.h>
#include <switchboard/core/config/Settings.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/storage/Database.h>
#include <switchboard/version.h>

#include <algorithm>

#include <filesystem>
#include <iostream>
#include <stdexcept>

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
  import FILE [--list NAME] [--stats]
                             import a contacts CSV into a new list, with a row report;
                             exits 1 when nothing was imported
  keys create --name NAME [--role admin|agent]
                             create an API key (printed once, stored hashed)
  keys list                  list API keys (never the keys themselves)
  keys revoke ID|PREFIX      revoke an API key
  migrate                    apply pending database migrations
  version                    print the version

Common options:
  --config FILE              INI config file (default: $SWITCHBOARD_CONFIG, else ./switchboard.ini)
  --help                     show this help

Every config key can be overridden from the environment: key http.port is
SWITCHBOARD_HTTP_PORT. See docs/CONFIGURATION.md.
)";

}  // namespace

bool Args::flag(const std::string& name) const {
  for (const auto& [key, value] : options) {
    if (key == name) {
      return true;
    }
  }
  return false;
}

std::string Args::option(const std::string& name, const std::string& fallback) const {
  for (const auto& [key, value] : options) {
    if (key == name) {
      return value;
    }
  }
  return fallback;
}

Args parse(int argc, char** argv) {
  Args args;
  // Options that take a value; everything else starting with -- is a flag.
  static const std::vector<std::string> kValued = {"config", "name", "role", "list"};
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "-h") {
      word = "--help";
    }
    if (word.rfind("--", 0) == 0) {
      std::string name = word.substr(2);
      std::string value;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (std::find(kValued.begin(), kValued.end(), name) != kValued.end()) {
        if (i + 1 >= argc) {
          throw std::invalid_argument("option --" + name + " needs a value");
        }
        value = argv[++i];
      }
      args.options.emplace_back(name, value);
    } else if (args.command.empty()) {
      args.command = word;
    } else {
      args.positional.push_back(word);
    }
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
  } catch (const std::invalid_argument& e) {
    std::cerr << "switchboard: " << e.what() << "\n\n" << kUsage;
    return 2;
  }
  if (args.flag("help") || args.command == "help" || args.command.empty()) {
    std::cout << kUsage;
    return args.command.empty() && !args.flag("help") ? 2 : 0;
  }
  if (args.command == "version" || args.flag("version")) {
    std::cout << "switchboard " << SB_VERSION << " (provider ABI " << SB_ABI_MAJOR << "." << SB_ABI_MINOR << ")\n";
    return 0;
  }
  try {
    if (args.command == "serve") return serve(args, environment, argv[0]);
    if (args.command == "plugins") return plugins(args, environment, argv[0]);
    if (args.command == "keys") return keys(args, environment);
    if (args.command == "migrate") return migrate(args, environment);
    if (args.command == "import") return import(args, environment);
  } catch (const core::ConfigError& e) {
    std::cerr << "switchboard: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "switchboard: unknown command '" << args.command << "'\n\n" << kUsage;
  return 2;
}

int migrate(const Args& args, char** environment) {
  const core::Settings settings = loadSettings(args.option("config"), environment);
  core::Database database(settings.getString("database.path"));
  const int applied = database.migrate();
  std::cout << "database " << settings.getString("database.path") << ": applied " << applied
            << " migration(s); schema version " << database.schemaVersion() << "\n";
  return 0;
}

}  // namespace sb::host::cli

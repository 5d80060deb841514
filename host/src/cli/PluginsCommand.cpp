#include "app/ConfigLoader.h"
#include "app/HostContext.h"
#include "cli/Cli.h"
#include "cli/ProviderCheck.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/PluginLoader.h>

#include <iostream>
#include <set>

namespace sb::host::cli {

int plugins(const Args& args, char** environment) {
  const LoadedConfig loaded = readConfig(args.configRequest(environment));
  throwIfProblems(loaded);
  const core::Settings& settings = loaded.settings;
  // Listing needs no database: read the search path straight from settings.
  core::LogOptions quiet;
  quiet.level = "off";
  core::configureLogging(quiet);
  const std::string active = settings.getString("provider", "sim");
  const auto searchPath = pluginSearchPath(settings, executableDir(args.argv0));
  // Only the libraries asked about are mapped (their constructors run):
  // the active provider, the ids named, or every one with --all.
  const bool all = args.flag("all");
  const std::set<std::string> named(args.positional.begin(), args.positional.end());
  const core::PluginDiscovery discovery = core::PluginLoader::discover(
      searchPath, [&](const std::string& id) { return all || id == active || named.count(id) > 0; });
  // The active provider created with its section, as serve would: what its
  // configuration lacks shows here, not first when serve starts.
  const std::vector<std::string> configProblems = activeProviderProblems(loaded, args);

  if (args.flag("json")) {
    nlohmann::json out = {{"active", active},
                          {"search_path", nlohmann::json::array()},
                          {"loaded", nlohmann::json::array()},
                          {"found", nlohmann::json::array()},
                          {"refused", nlohmann::json::array()},
                          {"active_config_problems", configProblems}};
    for (const auto& path : searchPath) {
      out["search_path"].push_back(std::filesystem::weakly_canonical(path).string());
    }
    for (const auto& plugin : discovery.loaded) {
      out["loaded"].push_back({{"id", plugin->id()},
                               {"name", plugin->displayName()},
                               {"version", plugin->version()},
                               {"vendor", plugin->manifest().vendor},
                               {"abi", plugin->abiVersion()},
                               {"directory", plugin->manifest().directory.string()},
                               {"capabilities", plugin->capabilities()}});
    }
    for (const auto& manifest : discovery.found) {
      out["found"].push_back({{"id", manifest.id},
                              {"name", manifest.name},
                              {"version", manifest.version},
                              {"vendor", manifest.vendor},
                              {"directory", manifest.directory.string()}});
    }
    for (const auto& refusal : discovery.refused) {
      out["refused"].push_back(
          {{"directory", refusal.directory.string()}, {"id", refusal.id}, {"reason", refusal.reason}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }

  std::cout << "Plugin search path:\n";
  for (const auto& path : searchPath) {
    std::error_code error;
    std::cout << "  " << std::filesystem::weakly_canonical(path, error).string()
              << (std::filesystem::is_directory(path, error) ? "" : "  (missing)") << "\n";
  }
  std::cout << "\nLoaded (" << discovery.loaded.size() << "):\n";
  for (const auto& plugin : discovery.loaded) {
    std::cout << "  " << plugin->id() << (plugin->id() == active ? "  [active]" : "") << "\n"
              << "    name:         " << plugin->displayName() << " " << plugin->version() << " ("
              << plugin->manifest().vendor << ")\n"
              << "    abi:          " << plugin->abiVersion() << "\n"
              << "    directory:    " << plugin->manifest().directory.string() << "\n"
              << "    capabilities: " << plugin->capabilities().dump() << "\n";
  }
  if (!discovery.found.empty()) {
    std::cout << "\nFound, not loaded (" << discovery.found.size()
              << "; name them, or --all, to load and check them):\n";
    for (const auto& manifest : discovery.found) {
      std::cout << "  " << manifest.id << "  " << manifest.name << " " << manifest.version << "  "
                << manifest.directory.string() << "\n";
    }
  }
  std::cout << "\nRefused (" << discovery.refused.size() << "):\n";
  for (const auto& refusal : discovery.refused) {
    std::cout << "  " << refusal.directory.string() << "\n    reason: " << refusal.reason << "\n";
  }
  bool activeLoaded = false;
  for (const auto& plugin : discovery.loaded) {
    activeLoaded = activeLoaded || plugin->id() == active;
  }
  if (!activeLoaded) {
    std::cout << "\nThe configured provider '" << active << "' is not loaded: the host will not be ready.\n";
  } else if (configProblems.empty()) {
    std::cout << "\nThe active provider '" << active << "' starts with its configuration.\n";
  } else {
    std::cout << "\nThe active provider '" << active << "' would not start with its configuration:\n";
    for (const auto& problem : configProblems) {
      std::cout << "  error: " << problem << "\n";
    }
  }
  return 0;
}

}  // namespace sb::host::cli

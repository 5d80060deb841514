#include "app/ConfigDoc.h"
#include "app/ConfigKeys.h"
#include "app/ConfigLoader.h"
#include "app/HostContext.h"
#include "cli/Cli.h"
#include "cli/ProviderCheck.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/net/HttpClient.h>
#include <switchboard/core/plugin/PluginLoader.h>
#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/plugin/ProviderProxy.h>

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <set>

namespace sb::host::cli {
namespace {

constexpr const char* kMask = "********";

std::string sourceName(core::ConfigSource source) {
  switch (source) {
    case core::ConfigSource::Default: return "default";
    case core::ConfigSource::File: return "file";
    case core::ConfigSource::Environment: return "env";
    case core::ConfigSource::CommandLine: return "command line";
  }
  return "default";
}

bool isSecret(const core::ConfigKeySet& known, const std::string& key) {
  const core::ConfigKey* spec = known.find(key);
  return (spec != nullptr && spec->secret) || core::Settings::isSecretKey(key);
}

struct ShownKey {
  std::string key;
  std::string value;
  std::string source;
  std::string origin;
  bool secret = false;
};

/// Every effective key, then the active plugin's declared keys that are
/// not set (with the plugin's own default).
std::vector<ShownKey> effectiveKeys(const LoadedConfig& loaded) {
  std::vector<ShownKey> shown;
  for (const auto& [key, value] : loaded.settings.all()) {
    const auto origin = loaded.settings.origin(key);
    ShownKey row{key, value, origin ? sourceName(origin->source) : "default", origin ? origin->where : "default",
                 isSecret(loaded.known, key)};
    if (row.secret && !row.value.empty()) {
      row.value = kMask;
    }
    shown.push_back(std::move(row));
  }
  const std::string active = loaded.settings.getString("provider", "sim");
  for (const auto& manifest : loaded.plugins) {
    if (manifest.id != active) {
      continue;
    }
    for (const auto& key : manifest.config) {
      const std::string name = "provider." + active + "." + key.name;
      if (key.isPattern() || loaded.settings.has(name)) {
        continue;
      }
      shown.push_back({name, key.defaultValue, "plugin default",
                       key.defaultText.empty() ? "default of the " + active + " plugin" : key.defaultText, false});
    }
  }
  return shown;
}

int show(const LoadedConfig& loaded, bool json) {
  const auto keys = effectiveKeys(loaded);
  if (json) {
    nlohmann::json out = {{"file", loaded.file.empty() ? nlohmann::json(nullptr) : nlohmann::json(loaded.file)},
                          {"keys", nlohmann::json::array()},
                          {"problems", loaded.problems},
                          {"provider_problems", loaded.providerProblems},
                          {"warnings", loaded.warnings}};
    for (const auto& row : keys) {
      out["keys"].push_back({{"key", row.key},
                             {"value", row.value},
                             {"source", row.source},
                             {"origin", row.origin},
                             {"secret", row.secret}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "# config file: " << (loaded.file.empty() ? "(none: defaults and environment only)" : loaded.file)
            << "\n";
  size_t width = 0;
  for (const auto& row : keys) {
    width = std::max(width, row.key.size() + row.value.size() + 3);
  }
  width = std::min<size_t>(width, 72);
  for (const auto& row : keys) {
    const std::string line = row.key + " = " + row.value;
    std::cout << std::left << std::setw(static_cast<int>(width)) << line << "  # " << row.origin << "\n";
  }
  for (const auto& problem : loaded.problems) {
    std::cerr << "error: " << problem << "\n";
  }
  for (const auto& warning : loaded.warnings) {
    std::cerr << "warning: " << warning << "\n";
  }
  return 0;
}

int check(const LoadedConfig& loaded, const Args& args) {
  std::vector<std::string> problems = loaded.problems;
  if (problems.empty()) {
    const auto provider = activeProviderProblems(loaded, args);
    problems.insert(problems.end(), provider.begin(), provider.end());
  } else {
    problems.insert(problems.end(), loaded.providerProblems.begin(), loaded.providerProblems.end());
  }
  for (const auto& warning : loaded.warnings) {
    std::cout << "warning: " << warning << "\n";
  }
  for (const auto& problem : problems) {
    std::cout << "error: " << problem << "\n";
  }
  const std::string file = loaded.file.empty() ? "no config file" : loaded.file;
  if (!problems.empty()) {
    std::cout << file << ": " << problems.size() << " problem" << (problems.size() == 1 ? "" : "s") << "\n";
    return 1;
  }
  std::cout << file << ": OK (provider " << loaded.settings.getString("provider", "sim") << ")\n";
  return 0;
}

void printKeys(const std::vector<core::ConfigKey>& keys, const std::string& prefix) {
  for (const auto& key : keys) {
    const std::string name = key.isPattern() ? key.patternPrefix() + "<name>" : key.name;
    std::cout << prefix << name << "  [" << keyTypeText(key) << "; default " << keyDefaultText(key) << "]\n    "
              << key.meaning << (key.secret ? " (secret)" : "") << "\n";
  }
}

/// `--markdown`: every table of docs/CONFIGURATION.md, each in its region
/// markers, for scripts/config-doc.sh.
int listKeys(const LoadedConfig& loaded, bool markdown) {
  if (markdown) {
    std::cout << "<!-- keys:host -->\n" << keysMarkdown(hostConfigKeys()) << "<!-- /keys -->\n";
  } else {
    printKeys(hostConfigKeys(), "");
  }
  std::set<std::string> seen;
  for (const auto& manifest : loaded.plugins) {
    if (!seen.insert(manifest.id).second) {
      continue;
    }
    if (markdown) {
      if (manifest.declaresConfig) {
        std::cout << "<!-- keys:" << manifest.id << " -->\n" << keysMarkdown(manifest.config) << "<!-- /keys -->\n";
      }
      continue;
    }
    std::cout << "\n# provider." << manifest.id << ".* (" << manifest.name << ")\n";
    if (!manifest.declaresConfig) {
      std::cout << "    (declares no keys: its section is passed to it unchecked)\n";
    }
    printKeys(manifest.config, "provider." + manifest.id + ".");
  }
  return 0;
}

}  // namespace

int config(const Args& args, char** environment) {
  const std::string action = args.positional.empty() ? "" : args.positional[0];
  if (action != "show" && action != "check" && action != "keys") {
    throw UsageError("config needs one of: show, check, keys (got '" + action + "')");
  }
  core::LogOptions quiet;
  quiet.level = "off";
  core::configureLogging(quiet);
  const LoadedConfig loaded = readConfig(args.configRequest(environment));
  if (action == "show") return show(loaded, args.flag("json"));
  if (action == "keys") return listKeys(loaded, args.flag("markdown"));
  return check(loaded, args);
}

}  // namespace sb::host::cli

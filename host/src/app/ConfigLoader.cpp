#include "app/ConfigLoader.h"

#include "app/ConfigKeys.h"

#include <switchboard/core/plugin/PluginLoader.h>

#include <cstdlib>
#include <sstream>

namespace sb::host {
namespace {

std::string configFilePath(const std::string& requested) {
  if (!requested.empty()) {
    return requested;
  }
  // Read once at start-up, before any thread exists.
  if (const char* fromEnv = std::getenv("SWITCHBOARD_CONFIG");  // NOLINT(concurrency-mt-unsafe)
      fromEnv != nullptr && *fromEnv != '\0') {
    return fromEnv;
  }
  if (std::filesystem::exists("switchboard.ini")) {
    return "switchboard.ini";
  }
  return {};
}

/// The key the host hands every plugin, declared or not.
core::ConfigKey webhookBaseUrlKey(const std::string& id) {
  core::ConfigKey key;
  key.name = "webhook_base_url";
  key.defaultText = "`<public_base_url>/webhooks/" + id + "`";
  key.meaning = "the public URL of this plugin's webhooks";
  return key;
}

void addPluginKeys(LoadedConfig& loaded, const core::PluginManifest& manifest) {
  const std::string prefix = "provider." + manifest.id + ".";
  if (manifest.declaresConfig) {
    loaded.known.addUnder(prefix, manifest.config);
    if (loaded.known.find(prefix + "webhook_base_url") == nullptr) {
      loaded.known.addUnder(prefix, {webhookBaseUrlKey(manifest.id)});
    }
    return;
  }
  core::ConfigKey any;
  any.name = "*";
  any.meaning = "(the plugin declares no keys: passed on unchecked)";
  loaded.known.addUnder(prefix, {any});
  loaded.warnings.push_back("plugin '" + manifest.id + "' (" + manifest.directory.string() +
                            ") declares no config keys; " + prefix + "* is passed to it unchecked");
}

void checkActiveProvider(LoadedConfig& loaded) {
  const std::string id = loaded.settings.getString("provider", "sim");
  const core::PluginManifest* active = nullptr;
  std::vector<std::string> ids;
  for (const auto& manifest : loaded.plugins) {
    ids.push_back(manifest.id);
    if (manifest.id == id) {
      active = &manifest;
    }
  }
  if (active == nullptr) {
    std::string list;
    for (const auto& each : ids) {
      list += (list.empty() ? "" : ", ") + each;
    }
    const std::string near = core::nearestWord(id, ids);
    loaded.providerProblems.push_back("provider '" + id + "' is not among the plugins found (" +
                                      (list.empty() ? std::string("none") : list) + ")" +
                                      (near.empty() ? std::string() : "; did you mean '" + near + "'?"));
    return;
  }
  for (const auto& key : active->config) {
    const std::string name = "provider." + id + "." + key.name;
    if (key.required && loaded.settings.getString(name).empty()) {
      loaded.providerProblems.push_back("config key '" + name + "' is required by the " + id +
                                        " plugin; set it in the file, or " + core::Settings::envNameFor(name) +
                                        " (or " + core::Settings::envNameFor(name + "_file") + " naming a file)");
    }
  }
}

}  // namespace

std::string configuredPublicBaseUrl(const core::Settings& settings) {
  std::string base = settings.getString("public_base_url");
  if (base.empty()) {
    base = "http://" + settings.getString("http.host") + ":" + settings.getString("http.port");
  }
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  return base;
}

nlohmann::json providerSection(const core::Settings& settings, const std::string& id,
                               const std::string& publicBaseUrl) {
  nlohmann::json section = settings.section("provider." + id);
  if (!section.contains("webhook_base_url")) {
    section["webhook_base_url"] = publicBaseUrl + "/webhooks/" + id;
  }
  return section;
}

std::vector<std::filesystem::path> pluginSearchPath(const core::Settings& settings,
                                                    const std::filesystem::path& executableDir) {
  std::vector<std::filesystem::path> paths;
  const std::string configured = settings.getString("plugins.path");
  if (!configured.empty()) {
    std::stringstream in(configured);
    std::string item;
    while (std::getline(in, item, ':')) {
      if (!item.empty()) {
        paths.emplace_back(item);
      }
    }
    return paths;
  }
  // Build and install trees share one layout:
  // <root>/bin/switchboard and <root>/lib/switchboard/plugins/<id>/.
  paths.push_back((executableDir / ".." / "lib" / "switchboard" / "plugins").lexically_normal());
  return paths;
}

LoadedConfig readConfig(const ConfigRequest& request) {
  LoadedConfig loaded;
  loaded.settings = defaultSettings();
  loaded.file = configFilePath(request.path);
  if (!loaded.file.empty()) {
    loaded.settings.loadIniFile(loaded.file);
  }
  for (const auto& [key, value] : request.sets) {
    loaded.settings.set(key, value);
  }
  // Where the plugins are may itself come from the environment: a first
  // pass with the host's keys finds plugins.path, the second maps every
  // variable against the host's and the plugins' keys.
  loaded.known = core::ConfigKeySet(hostConfigKeys());
  {
    core::Settings hostOnly = loaded.settings;
    hostOnly.applyEnvironment(request.environment, loaded.known);
    const auto discovery = core::PluginLoader::discover(pluginSearchPath(hostOnly, request.executableDir),
                                                        [](const std::string&) { return false; });
    loaded.plugins = discovery.found;
    for (const auto& refused : discovery.refused) {
      loaded.warnings.push_back("plugin folder " + refused.directory.string() + " is refused: " + refused.reason);
    }
  }
  for (const auto& manifest : loaded.plugins) {
    addPluginKeys(loaded, manifest);
  }
  loaded.settings.applyEnvironment(request.environment, loaded.known);
  loaded.settings.resolveSecretFiles();
  loaded.problems = loaded.settings.problems(loaded.known);
  checkActiveProvider(loaded);
  return loaded;
}

void throwIfProblems(const LoadedConfig& loaded) {
  if (!loaded.problems.empty()) {
    std::string message = loaded.problems.size() == 1 ? "" : std::to_string(loaded.problems.size()) + " problems:";
    for (const auto& problem : loaded.problems) {
      message += (loaded.problems.size() == 1 ? "" : "\n  ") + problem;
    }
    message += "\n(`switchboard config check` lists every problem; `switchboard config keys` every key)";
    throw core::ConfigError(message);
  }
}

core::Settings loadSettings(const ConfigRequest& request) {
  LoadedConfig loaded = readConfig(request);
  throwIfProblems(loaded);
  return std::move(loaded.settings);
}

}  // namespace sb::host

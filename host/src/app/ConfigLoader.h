#pragma once

#include <switchboard/core/config/ConfigKey.h>
#include <switchboard/core/config/Settings.h>
#include <switchboard/core/plugin/PluginManifest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace sb::host {

/// What a command was given to find its configuration.
struct ConfigRequest {
  std::string path;  ///< --config; empty: $SWITCHBOARD_CONFIG, else ./switchboard.ini if present
  std::vector<std::pair<std::string, std::string>> sets;  ///< --set KEY=VALUE, in order
  char** environment = nullptr;
  std::filesystem::path executableDir;  ///< for the default plugin folder
};

/// The configuration as read, with everything wrong with it.
struct LoadedConfig {
  core::Settings settings;
  std::string file;                           ///< the INI file read, or empty
  core::ConfigKeySet known;                   ///< the host's keys and every found plugin's
  std::vector<core::PluginManifest> plugins;  ///< manifests found on plugins.path
  /// Fatal: unknown keys and variables, values of the wrong type or range.
  std::vector<std::string> problems;
  /// About the active provider (not found, a required key unset): serve
  /// still starts and reports them on /health; `config check` fails.
  std::vector<std::string> providerProblems;
  std::vector<std::string> warnings;  ///< e.g. a plugin that declares no keys
};

/// Reads defaults, the file, the environment and the command line, then
/// the plugin manifests on plugins.path (for their declared keys), and
/// checks every set key. Throws core::ConfigError only when the file
/// cannot be read or parsed or a secret file cannot be read.
LoadedConfig readConfig(const ConfigRequest& request);

/// A core::ConfigError listing every problem, if there is any.
void throwIfProblems(const LoadedConfig& loaded);

/// readConfig, then throwIfProblems.
core::Settings loadSettings(const ConfigRequest& request);

/// public_base_url without a trailing slash, else http://<http.host>:<http.port>
/// (what serve uses before it knows the port it bound).
std::string configuredPublicBaseUrl(const core::Settings& settings);

/// The config a provider plugin is created with: its section
/// provider.<id>.*, plus webhook_base_url (<publicBaseUrl>/webhooks/<id>)
/// unless the section sets it.
nlohmann::json providerSection(const core::Settings& settings, const std::string& id, const std::string& publicBaseUrl);

/// `:`-separated plugins.path, else <bin>/../lib/switchboard/plugins.
std::vector<std::filesystem::path> pluginSearchPath(const core::Settings& settings,
                                                    const std::filesystem::path& executableDir);

}  // namespace sb::host

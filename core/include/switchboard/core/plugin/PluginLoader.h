#pragma once

#include <switchboard/core/plugin/LoadedPlugin.h>

#include <filesystem>
#include <string>
#include <vector>

namespace sb::core {

/// A plugin folder the host would not load, and why.
struct PluginRefusal {
  std::filesystem::path directory;
  std::string id;  ///< from the manifest, when it could be read
  std::string reason;
};

struct PluginDiscovery {
  std::vector<LoadedPluginPtr> loaded;
  std::vector<PluginRefusal> refused;
};

/// Finds, maps and validates provider plugins (Boost.DLL, rtld_now |
/// rtld_local). Each check that fails refuses that plugin with a reason
/// naming what is wrong; other plugins are unaffected.
/// THREADING: call from one thread (dlopen is not thread-safe everywhere).
class PluginLoader {
 public:
  /// Loads the plugin in `directory` (which holds plugin.json). Throws
  /// PluginRefused with the reason.
  static LoadedPluginPtr load(const std::filesystem::path& directory);

  /// Loads every plugin folder directly under each search path, in order;
  /// the first plugin with a given id wins and later ones are refused. A
  /// search path that does not exist is skipped.
  static PluginDiscovery discover(const std::vector<std::filesystem::path>& searchPaths);
};

}  // namespace sb::core

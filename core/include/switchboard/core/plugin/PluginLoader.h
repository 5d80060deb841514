#pragma once

#include <switchboard/core/plugin/LoadedPlugin.h>

#include <filesystem>
#include <functional>
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
  /// Valid manifests whose library was not asked for (never mapped).
  std::vector<PluginManifest> found;
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

  /// Reads every plugin folder directly under each search path and loads
  /// those `shouldLoad` accepts (all when it is empty); the rest are listed
  /// in `found`, their libraries never mapped (their constructors never
  /// run). A folder that cannot be read, is world-writable, or shares its
  /// id with another folder is refused with a reason naming it (an id
  /// claimed twice loads neither). A missing search path is skipped.
  static PluginDiscovery discover(const std::vector<std::filesystem::path>& searchPaths,
                                  const std::function<bool(const std::string& id)>& shouldLoad = {});
};

}  // namespace sb::core

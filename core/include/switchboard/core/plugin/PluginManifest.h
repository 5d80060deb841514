#pragma once

#include <switchboard/core/config/ConfigKey.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace sb::core {

/// The plugin.json beside a plugin library. Read before any plugin code runs;
/// the library's own descriptor stays authoritative (a mismatch is a refusal).
struct PluginManifest {
  std::filesystem::path directory;
  std::string id;
  std::string name;
  std::string version;
  std::string vendor;
  uint32_t abiMajor = 0;
  uint32_t abiMinor = 0;
  std::filesystem::path library;  ///< absolute path
  /// The keys of the plugin's config section (provider.<id>.*), from the
  /// manifest's optional "config" object; the host checks and documents
  /// them. Empty with `declaresConfig` false for a plugin that declares
  /// none (its section is then passed on unchecked).
  std::vector<ConfigKey> config;
  bool declaresConfig = false;

  /// Reads `<directory>/plugin.json`. Throws PluginRefused with the exact
  /// reason (missing file, bad JSON, a missing or ill-typed field, a library
  /// path that escapes the folder).
  static PluginManifest read(const std::filesystem::path& directory);
};

}  // namespace sb::core

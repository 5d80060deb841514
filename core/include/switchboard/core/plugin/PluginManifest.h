#pragma once

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

  /// Reads `<directory>/plugin.json`. Throws PluginRefused with the exact
  /// reason (missing file, bad JSON, a missing or ill-typed field, a library
  /// path that escapes the folder).
  static PluginManifest read(const std::filesystem::path& directory);
};

}  // namespace sb::core

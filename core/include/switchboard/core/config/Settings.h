#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sb::core {

/// A configuration error that names the key (or file line) to fix.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Flat key/value configuration: built-in defaults, then an INI file, then
/// environment overrides, then `<key>_file` secrets. Keys are dotted
/// ("http.port"); an INI section is a key prefix ("[http]" + "port").
///
/// Environment: every known key K (a default or a key of the file) is
/// overridden by SWITCHBOARD_<K upper-cased, '.' and '-' as '_'>, e.g.
/// SWITCHBOARD_HTTP_PORT. Keys that exist nowhere yet (a plugin's optional
/// key) can be set with '__' between segments: SWITCHBOARD_PROVIDER__SIM__RING_MS
/// sets provider.sim.ring_ms.
class Settings {
 public:
  Settings() = default;
  explicit Settings(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  /// Parses INI text; throws ConfigError naming the line on a syntax error.
  void loadIni(const std::string& text, const std::string& origin);
  void loadIniFile(const std::string& path);
  /// Applies SWITCHBOARD_* variables from an environment block (environ).
  void applyEnvironment(char** environment);
  /// Replaces each `<key>_file` entry by `<key>` = the file's content
  /// (trailing newline trimmed). Throws ConfigError if a file is unreadable.
  void resolveSecretFiles();

  void set(const std::string& key, const std::string& value) { values_[key] = value; }
  bool has(const std::string& key) const { return values_.count(key) != 0; }

  std::optional<std::string> find(const std::string& key) const;
  std::string getString(const std::string& key, const std::string& fallback = {}) const;
  int64_t getInt(const std::string& key, int64_t fallback) const;
  bool getBool(const std::string& key, bool fallback) const;

  /// Every key under `prefix.` as a nested JSON object of strings.
  nlohmann::json section(const std::string& prefix) const;
  const std::map<std::string, std::string>& all() const noexcept { return values_; }

  /// The environment variable that overrides `key`.
  static std::string envNameFor(const std::string& key);
  /// True for keys whose values must never be printed (secrets, tokens).
  static bool isSecretKey(const std::string& key);

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace sb::core

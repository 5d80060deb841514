#pragma once

#include <switchboard/core/config/ConfigKey.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
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

/// Where a value came from, weakest first.
enum class ConfigSource { Default = 0, File = 1, Environment = 2, CommandLine = 3 };

/// The configuration: a Poco::Util::LayeredConfiguration of four layers,
/// each overriding the one before: built-in defaults, one INI file, the
/// environment, the command line (`--set key=value`). Keys are dotted
/// ("http.port"); an INI section is a key prefix ("[http]" + "port").
///
/// Environment: SWITCHBOARD_ + the key upper-cased with '.' and '-' as
/// '_' (http.port is SWITCHBOARD_HTTP_PORT, provider.twilio.auth_token is
/// SWITCHBOARD_PROVIDER_TWILIO_AUTH_TOKEN). Variables are matched against
/// the keys the host and the plugins declare, so the one rule holds for
/// every key; a variable that names no key is a problem, not ignored.
/// Secrets: `<key>_file` in any layer sets `<key>` in that layer to the
/// file's content.
/// Every value remembers its origin ("switchboard.ini:12", "env
/// SWITCHBOARD_HTTP_PORT", …) for `switchboard config show` and errors.
/// THREADING: build on one thread; const reads are thread-safe after.
class Settings {
 public:
  Settings();
  /// Built-in defaults.
  explicit Settings(const std::map<std::string, std::string>& defaults);
  ~Settings();
  Settings(const Settings& other);
  Settings& operator=(const Settings& other);
  Settings(Settings&&) noexcept;
  Settings& operator=(Settings&&) noexcept;

  /// Parses INI text into the file layer. `#` and `;` start a comment at
  /// the start of a line or after a blank (`port = 8080 ; the port` is
  /// 8080); a value in double quotes is taken as written. Throws
  /// ConfigError naming the line on a syntax error or a key set twice.
  void loadIni(const std::string& text, const std::string& origin);
  void loadIniFile(const std::string& path);
  /// Applies SWITCHBOARD_* variables from an environment block (environ)
  /// to the environment layer, each matched to a key of `known` (exact
  /// keys before patterns); SWITCHBOARD_CONFIG is the file's path, not a
  /// key. A variable that matches nothing is kept as a problem naming the
  /// nearest key's variable.
  void applyEnvironment(char** environment, const ConfigKeySet& known);
  /// Replaces each `<key>_file` entry by `<key>` = the file's content
  /// (trailing newline trimmed), in the layer that named the file. Throws
  /// ConfigError if a file is unreadable or the key is also set directly.
  void resolveSecretFiles();

  /// The command-line layer (`--set key=value`); also what tests use.
  void set(const std::string& key, const std::string& value);
  bool has(const std::string& key) const;

  std::optional<std::string> find(const std::string& key) const;
  std::string getString(const std::string& key, const std::string& fallback = {}) const;
  int64_t getInt(const std::string& key, int64_t fallback) const;
  bool getBool(const std::string& key, bool fallback) const;

  /// Every key under `prefix.` as a nested JSON object of strings.
  nlohmann::json section(const std::string& prefix) const;
  /// The effective value of every key.
  std::map<std::string, std::string> all() const;

  struct Origin {
    ConfigSource source = ConfigSource::Default;
    std::string where;  ///< "default", "switchboard.ini:12", "env SWITCHBOARD_HTTP_PORT", "--set"
  };
  /// Where the effective value of `key` came from.
  std::optional<Origin> origin(const std::string& key) const;
  /// Keys set in `source`'s layer.
  std::vector<std::string> keysIn(ConfigSource source) const;

  /// Everything wrong with the configuration against the declared keys:
  /// keys no one declared (with the nearest known one), values of the
  /// wrong type or range, environment variables that name no key. One
  /// line each, naming the key and where it was set.
  std::vector<std::string> problems(const ConfigKeySet& known) const;

  /// The environment variable that overrides `key`.
  static std::string envNameFor(const std::string& key);
  /// True for keys whose values must never be printed (secrets, tokens).
  static bool isSecretKey(const std::string& key);

 private:
  struct Layers;
  void setIn(ConfigSource source, const std::string& key, const std::string& value, const std::string& where);

  std::unique_ptr<Layers> layers_;
  std::vector<std::string> environmentProblems_;
};

}  // namespace sb::core

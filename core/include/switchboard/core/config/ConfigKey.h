#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::core {

enum class ConfigType { String, Integer, Boolean, Choice };

/// One configuration key the product knows: its name (or a pattern ending
/// in ".*" for a family such as ratelimit.<route>), type, default and what
/// it means. The host's keys and each plugin's declared keys are lists of
/// these; `switchboard config keys` and docs/CONFIGURATION.md are made from
/// them, so the documentation cannot drift from the code.
struct ConfigKey {
  std::string name;
  ConfigType type = ConfigType::String;
  std::string defaultValue;  ///< as written in the file; empty: none
  std::string defaultText;   ///< how the docs describe the default when it is computed ("(stderr)")
  std::string meaning;
  bool secret = false;
  bool required = false;  ///< a plugin key that must be set when the plugin is active
  std::optional<int64_t> min;
  std::optional<int64_t> max;
  std::vector<std::string> choices;  ///< ConfigType::Choice

  bool isPattern() const { return name.size() > 2 && name.compare(name.size() - 2, 2, ".*") == 0; }
  /// The part before ".*" of a pattern, with its dot ("ratelimit.").
  std::string patternPrefix() const { return name.substr(0, name.size() - 1); }
  bool matches(const std::string& key) const;
  /// Why `value` is not acceptable for this key, or nothing when it is.
  std::optional<std::string> problemWith(const std::string& value) const;
  std::string typeName() const;
};

/// The keys one part of the product declares, found by name or pattern.
class ConfigKeySet {
 public:
  ConfigKeySet() = default;
  explicit ConfigKeySet(std::vector<ConfigKey> keys) : keys_(std::move(keys)) {}

  void add(ConfigKey key) { keys_.push_back(std::move(key)); }
  /// Adds `keys` under `prefix` ("provider.twilio.").
  void addUnder(const std::string& prefix, const std::vector<ConfigKey>& keys);
  /// The exact key, else the pattern that covers it.
  const ConfigKey* find(const std::string& key) const;
  /// The known key (or pattern) nearest to a mistyped one, within a small
  /// edit distance; empty when nothing is close.
  std::string nearest(const std::string& key) const;
  const std::vector<ConfigKey>& all() const noexcept { return keys_; }

 private:
  std::vector<ConfigKey> keys_;
};

/// Parses a plugin's declared keys (plugin.json "config": {"key": {"type":
/// "string|integer|boolean|choice", "default", "meaning", "secret",
/// "required", "min", "max", "choices"}}). Throws std::invalid_argument
/// naming the key and field.
std::vector<ConfigKey> parseConfigKeys(const nlohmann::json& declared);

/// Edit distance (insertions, deletions, substitutions, transpositions),
/// for "did you mean" suggestions.
size_t editDistance(const std::string& a, const std::string& b);
/// The candidate nearest to `word` within max(2, |word| / 3) edits, else empty.
std::string nearestWord(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace sb::core

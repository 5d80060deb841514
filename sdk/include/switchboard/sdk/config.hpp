// Read access to a plugin's configuration section. Values arrive from an INI
// file or environment variables, so numbers and booleans may be strings;
// the getters accept both and throw InvalidArgument with the key's name when
// a value cannot be read as asked.
#pragma once

#include <switchboard/sdk/status.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace sb::sdk {

class Config {
 public:
  Config() = default;
  explicit Config(nlohmann::json values) : values_(std::move(values)) {
    if (!values_.is_object()) {
      values_ = nlohmann::json::object();
    }
  }

  bool has(const std::string& key) const { return find(key) != nullptr; }

  const nlohmann::json& raw() const& noexcept { return values_; }
  /// On a temporary (config.section("x").raw()) hand the values over rather
  /// than a reference that would dangle.
  nlohmann::json raw() && noexcept { return std::move(values_); }

  std::string getString(const std::string& key, const std::string& fallback = {}) const {
    const nlohmann::json* value = find(key);
    if (value == nullptr || value->is_null()) {
      return fallback;
    }
    if (value->is_string()) {
      return value->get<std::string>();
    }
    return value->dump();
  }

  /// Like getString, but a missing or empty value is an error naming the key.
  std::string requireString(const std::string& key) const {
    std::string value = getString(key);
    if (value.empty()) {
      throw ProviderError(Status::InvalidArgument, "missing required config key '" + key + "'");
    }
    return value;
  }

  int64_t getInt(const std::string& key, int64_t fallback) const {
    const nlohmann::json* value = find(key);
    if (value == nullptr || value->is_null()) {
      return fallback;
    }
    if (value->is_number_integer()) {
      return value->get<int64_t>();
    }
    if (value->is_string()) {
      const std::string text = value->get<std::string>();
      try {
        size_t used = 0;
        const long long parsed = std::stoll(text, &used);
        if (used == text.size()) {
          return parsed;
        }
      } catch (const std::exception&) {
        // fall through to the error below
      }
    }
    throw ProviderError(Status::InvalidArgument, "config key '" + key + "' must be an integer, got " + value->dump());
  }

  bool getBool(const std::string& key, bool fallback) const {
    const nlohmann::json* value = find(key);
    if (value == nullptr || value->is_null()) {
      return fallback;
    }
    if (value->is_boolean()) {
      return value->get<bool>();
    }
    if (value->is_string()) {
      const std::string text = value->get<std::string>();
      if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
      if (text == "false" || text == "0" || text == "no" || text == "off") return false;
    }
    throw ProviderError(Status::InvalidArgument,
                        "config key '" + key + "' must be true or false, got " + value->dump());
  }

  /// A nested section ("results" for keys "results.xyz"), empty if absent.
  Config section(const std::string& key) const {
    const nlohmann::json* value = find(key);
    return value != nullptr && value->is_object() ? Config(*value) : Config();
  }

  /// The value at `key`, a flat key or a dotted path into nested objects
  /// ("a.b"); null when absent.
  const nlohmann::json* find(const std::string& key) const {
    if (auto it = values_.find(key); it != values_.end()) {
      return &*it;
    }
    const nlohmann::json* node = &values_;
    size_t start = 0;
    while (start <= key.size()) {
      const size_t dot = key.find('.', start);
      const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!node->is_object()) {
        return nullptr;
      }
      auto it = node->find(part);
      if (it == node->end()) {
        return nullptr;
      }
      node = &*it;
      if (dot == std::string::npos) {
        return node;
      }
      start = dot + 1;
    }
    return nullptr;
  }

 private:
  nlohmann::json values_ = nlohmann::json::object();
};

}  // namespace sb::sdk

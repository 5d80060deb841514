#include <switchboard/core/config/Settings.h>
#include <switchboard/core/text/Trim.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace sb::core {
namespace {

std::string toLower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

constexpr const char* kEnvPrefix = "SWITCHBOARD_";
constexpr const char* kFileSuffix = "_file";

}  // namespace

void Settings::loadIni(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  std::string line;
  std::string section;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string content = trim(line);
    if (content.empty() || content[0] == '#' || content[0] == ';') {
      continue;
    }
    if (content.front() == '[') {
      if (content.back() != ']' || content.size() < 3) {
        throw ConfigError(origin + ":" + std::to_string(number) + ": malformed section header '" + content + "'");
      }
      section = trim(content.substr(1, content.size() - 2));
      continue;
    }
    const auto eq = content.find('=');
    if (eq == std::string::npos) {
      throw ConfigError(origin + ":" + std::to_string(number) + ": expected 'key = value', got '" + content + "'");
    }
    const std::string key = trim(content.substr(0, eq));
    std::string value = trim(content.substr(eq + 1));
    if (key.empty()) {
      throw ConfigError(origin + ":" + std::to_string(number) + ": empty key");
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    values_[section.empty() ? key : section + "." + key] = value;
  }
}

void Settings::loadIniFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    throw ConfigError("cannot read config file '" + path + "'");
  }
  std::ostringstream text;
  text << file.rdbuf();
  loadIni(text.str(), path);
}

std::string Settings::envNameFor(const std::string& key) {
  std::string name = kEnvPrefix;
  for (unsigned char c : key) {
    name.push_back(c == '.' || c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  }
  return name;
}

void Settings::applyEnvironment(char** environment) {
  if (environment == nullptr) {
    return;
  }
  std::map<std::string, std::string> env;
  for (char** entry = environment; *entry != nullptr; ++entry) {
    const std::string item(*entry);
    const auto eq = item.find('=');
    if (eq != std::string::npos && item.rfind(kEnvPrefix, 0) == 0) {
      env.emplace(item.substr(0, eq), item.substr(eq + 1));
    }
  }
  // Known keys first, by their canonical variable names.
  std::map<std::string, std::string> byEnvName;
  for (const auto& [key, value] : values_) {
    byEnvName.emplace(envNameFor(key), key);
  }
  for (const auto& [name, value] : env) {
    if (auto known = byEnvName.find(name); known != byEnvName.end()) {
      values_[known->second] = value;
      continue;
    }
    // Unknown keys with explicit '__' segment separators.
    const std::string rest = name.substr(std::string(kEnvPrefix).size());
    if (rest.find("__") == std::string::npos) {
      continue;
    }
    std::string key;
    for (size_t i = 0; i < rest.size(); ++i) {
      if (rest.compare(i, 2, "__") == 0) {
        key.push_back('.');
        ++i;
      } else {
        key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(rest[i]))));
      }
    }
    values_[key] = value;
  }
}

void Settings::resolveSecretFiles() {
  std::vector<std::pair<std::string, std::string>> resolved;
  for (const auto& [key, path] : values_) {
    const std::string suffix = kFileSuffix;
    if (key.size() <= suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0 ||
        path.empty()) {
      continue;
    }
    std::ifstream file(path);
    if (!file) {
      throw ConfigError("config key '" + key + "' names file '" + path + "', which cannot be read");
    }
    std::ostringstream text;
    text << file.rdbuf();
    std::string value = text.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
      value.pop_back();
    }
    resolved.emplace_back(key.substr(0, key.size() - suffix.size()), value);
  }
  for (auto& [key, value] : resolved) {
    values_[key] = std::move(value);
  }
}

std::optional<std::string> Settings::find(const std::string& key) const {
  if (auto it = values_.find(key); it != values_.end()) {
    return it->second;
  }
  return std::nullopt;
}

std::string Settings::getString(const std::string& key, const std::string& fallback) const {
  return find(key).value_or(fallback);
}

int64_t Settings::getInt(const std::string& key, int64_t fallback) const {
  const auto value = find(key);
  if (!value || value->empty()) {
    return fallback;
  }
  try {
    size_t used = 0;
    const long long parsed = std::stoll(*value, &used);
    if (used == value->size()) {
      return parsed;
    }
  } catch (const std::exception&) {
    // reported below
  }
  throw ConfigError("config key '" + key + "' must be an integer, got '" + *value + "' (env " + envNameFor(key) + ")");
}

bool Settings::getBool(const std::string& key, bool fallback) const {
  const auto value = find(key);
  if (!value || value->empty()) {
    return fallback;
  }
  const std::string text = toLower(*value);
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw ConfigError("config key '" + key + "' must be true or false, got '" + *value + "'");
}

nlohmann::json Settings::section(const std::string& prefix) const {
  nlohmann::json out = nlohmann::json::object();
  const std::string start = prefix + ".";
  for (auto it = values_.lower_bound(start); it != values_.end() && it->first.rfind(start, 0) == 0; ++it) {
    const std::string rest = it->first.substr(start.size());
    nlohmann::json* node = &out;
    size_t begin = 0;
    while (true) {
      const auto dot = rest.find('.', begin);
      const std::string part = rest.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
      if (dot == std::string::npos) {
        if (!(*node)[part].is_object()) {
          (*node)[part] = it->second;
        }
        break;
      }
      if (!(*node)[part].is_object()) {
        (*node)[part] = nlohmann::json::object();
      }
      node = &(*node)[part];
      begin = dot + 1;
    }
  }
  return out;
}

bool Settings::isSecretKey(const std::string& key) {
  const std::string lower = toLower(key);
  for (const char* word : {"secret", "token", "password", "api_key", "apikey", "private"}) {
    if (lower.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace sb::core

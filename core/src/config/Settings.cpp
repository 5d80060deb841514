#include <switchboard/core/config/Settings.h>
#include <switchboard/core/text/Trim.h>

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>

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
constexpr const char* kConfigPathVariable = "SWITCHBOARD_CONFIG";
constexpr const char* kFileSuffix = "_file";
constexpr size_t kLayerCount = 4;

const char* layerLabel(ConfigSource source) {
  switch (source) {
    case ConfigSource::Default: return "default";
    case ConfigSource::File: return "file";
    case ConfigSource::Environment: return "environment";
    case ConfigSource::CommandLine: return "command line";
  }
  return "default";
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The value part of an INI line: a quoted value as written, else up to a
/// `;` or `#` that follows a blank (an inline comment).
std::string iniValue(const std::string& raw, const std::string& where) {
  std::string value = trim(raw);
  if (!value.empty() && value.front() == '"') {
    const auto close = value.find('"', 1);
    if (close == std::string::npos) {
      throw ConfigError(where + ": a value that opens a quote must close it");
    }
    const std::string rest = trim(value.substr(close + 1));
    if (!rest.empty() && rest.front() != ';' && rest.front() != '#') {
      throw ConfigError(where + ": unexpected text after the quoted value: '" + rest + "'");
    }
    return value.substr(1, close - 1);
  }
  for (size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == ';' || value[i] == '#') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
      return trim(value.substr(0, i));
    }
  }
  if (!value.empty() && (value.front() == ';' || value.front() == '#')) {
    return {};  // "key = ; comment": an empty value
  }
  return value;
}

}  // namespace

/// Poco holds the values (a MapConfiguration per layer, stacked in a
/// LayeredConfiguration); beside each layer we keep where each of its
/// values came from, which Poco does not track.
struct Settings::Layers {
  Poco::AutoPtr<Poco::Util::LayeredConfiguration> stack{new Poco::Util::LayeredConfiguration};
  std::array<Poco::AutoPtr<Poco::Util::MapConfiguration>, kLayerCount> maps;
  std::array<std::map<std::string, std::string>, kLayerCount> origins;  ///< key -> where, per layer

  Layers() {
    for (size_t i = 0; i < kLayerCount; ++i) {
      maps[i] = new Poco::Util::MapConfiguration;
      // LayeredConfiguration searches the lowest priority first: the
      // command line (3) gets priority 0, the defaults (0) priority 3.
      stack->add(Poco::Util::AbstractConfiguration::Ptr(maps[i], true), layerLabel(static_cast<ConfigSource>(i)),
                 static_cast<int>(kLayerCount - 1 - i), false);
    }
  }
};

Settings::Settings() : layers_(std::make_unique<Layers>()) {}

Settings::Settings(const std::map<std::string, std::string>& defaults) : Settings() {
  for (const auto& [key, value] : defaults) {
    setIn(ConfigSource::Default, key, value, "default");
  }
}

Settings::~Settings() = default;
Settings::Settings(Settings&&) noexcept = default;
Settings& Settings::operator=(Settings&&) noexcept = default;

Settings::Settings(const Settings& other) : Settings() {
  *this = other;
}

Settings& Settings::operator=(const Settings& other) {
  if (this == &other) {
    return *this;
  }
  layers_ = std::make_unique<Layers>();
  for (size_t i = 0; i < kLayerCount; ++i) {
    for (const auto& [key, where] : other.layers_->origins[i]) {
      setIn(static_cast<ConfigSource>(i), key, other.layers_->maps[i]->getRawString(key), where);
    }
  }
  environmentProblems_ = other.environmentProblems_;
  return *this;
}

void Settings::setIn(ConfigSource source, const std::string& key, const std::string& value, const std::string& where) {
  const auto index = static_cast<size_t>(source);
  layers_->maps[index]->setString(key, value);
  layers_->origins[index][key] = where;
}

void Settings::set(const std::string& key, const std::string& value) {
  setIn(ConfigSource::CommandLine, key, value, "--set");
}

void Settings::loadIni(const std::string& text, const std::string& origin) {
  // Not Poco's IniFileConfiguration: it keeps "8080 ; the port" as the
  // value, takes '#' lines as keys, lets a second "port =" silently win and
  // cannot say which line a value came from.
  std::istringstream in(text);
  std::string line;
  std::string section;
  int number = 0;
  std::map<std::string, int> lineOf;
  while (std::getline(in, line)) {
    ++number;
    const std::string where = origin + ":" + std::to_string(number);
    const std::string content = trim(line);
    if (content.empty() || content[0] == '#' || content[0] == ';') {
      continue;
    }
    if (content.front() == '[') {
      const auto close = content.find(']');
      if (close == std::string::npos || close < 2) {
        throw ConfigError(where + ": malformed section header '" + content + "'");
      }
      section = trim(content.substr(1, close - 1));
      continue;
    }
    const auto eq = content.find('=');
    if (eq == std::string::npos) {
      throw ConfigError(where + ": expected 'key = value', got '" + content + "'");
    }
    const std::string name = trim(content.substr(0, eq));
    if (name.empty()) {
      throw ConfigError(where + ": empty key");
    }
    const std::string key = section.empty() ? name : section + "." + name;
    if (auto seen = lineOf.find(key); seen != lineOf.end()) {
      throw ConfigError(where + ": '" + key + "' is already set on line " + std::to_string(seen->second) +
                        "; set each key once");
    }
    lineOf[key] = number;
    setIn(ConfigSource::File, key, iniValue(content.substr(eq + 1), where), where);
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

void Settings::applyEnvironment(char** environment, const ConfigKeySet& known) {
  if (environment == nullptr) {
    return;
  }
  // Every variable a key answers to: declared keys, their _file twins, and
  // keys the file sets (an undeclared plugin's keys).
  std::map<std::string, std::string> byName;
  std::vector<std::pair<std::string, std::string>> byPrefix;  // variable prefix -> key prefix
  for (const auto& key : known.all()) {
    if (key.isPattern()) {
      byPrefix.emplace_back(envNameFor(key.patternPrefix()), key.patternPrefix());
    } else {
      byName.emplace(envNameFor(key.name), key.name);
      byName.emplace(envNameFor(key.name + kFileSuffix), key.name + kFileSuffix);
    }
  }
  for (const auto& [key, where] : layers_->origins[static_cast<size_t>(ConfigSource::File)]) {
    byName.emplace(envNameFor(key), key);
  }
  // The longest prefix first, so that the narrowest pattern wins.
  std::sort(byPrefix.begin(), byPrefix.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });

  for (char** entry = environment; *entry != nullptr; ++entry) {
    const std::string item(*entry);
    const auto eq = item.find('=');
    if (eq == std::string::npos || item.rfind(kEnvPrefix, 0) != 0) {
      continue;
    }
    const std::string name = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    if (name == kConfigPathVariable) {
      continue;
    }
    if (auto exact = byName.find(name); exact != byName.end()) {
      setIn(ConfigSource::Environment, exact->second, value, "env " + name);
      continue;
    }
    bool matched = false;
    for (const auto& [variablePrefix, keyPrefix] : byPrefix) {
      if (name.size() > variablePrefix.size() && name.compare(0, variablePrefix.size(), variablePrefix) == 0) {
        setIn(ConfigSource::Environment, keyPrefix + toLower(name.substr(variablePrefix.size())), value, "env " + name);
        matched = true;
        break;
      }
    }
    if (!matched) {
      std::vector<std::string> names;
      names.reserve(byName.size());
      for (const auto& [variable, key] : byName) {
        names.push_back(variable);
      }
      const std::string near = nearestWord(name, names);
      environmentProblems_.push_back("environment variable " + name + " names no config key" +
                                     (near.empty() ? std::string() : "; did you mean " + near + "?"));
    }
  }
}

void Settings::resolveSecretFiles() {
  for (size_t i = 0; i < kLayerCount; ++i) {
    std::vector<std::pair<std::string, std::string>> named;  // key_file -> where
    for (const auto& [key, where] : layers_->origins[i]) {
      if (endsWith(key, kFileSuffix)) {
        named.emplace_back(key, where);
      }
    }
    for (const auto& [fileKey, where] : named) {
      const std::string path = layers_->maps[i]->getRawString(fileKey);
      const std::string key = fileKey.substr(0, fileKey.size() - std::string(kFileSuffix).size());
      layers_->maps[i]->remove(fileKey);
      layers_->origins[i].erase(fileKey);
      if (path.empty()) {
        continue;
      }
      if (layers_->origins[i].count(key) != 0) {
        throw ConfigError("config key '" + key + "' is set both directly (" + layers_->origins[i][key] +
                          ") and from a file (" + fileKey + ", " + where + "); keep one");
      }
      std::ifstream file(path);
      if (!file) {
        throw ConfigError("config key '" + fileKey + "' (" + where + ") names file '" + path +
                          "', which cannot be read");
      }
      std::ostringstream text;
      text << file.rdbuf();
      std::string value = text.str();
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
        value.pop_back();
      }
      setIn(static_cast<ConfigSource>(i), key, value, "file " + path + " (" + fileKey + ", " + where + ")");
    }
  }
}

bool Settings::has(const std::string& key) const {
  return layers_->stack->hasProperty(key);
}

std::optional<std::string> Settings::find(const std::string& key) const {
  if (!layers_->stack->hasProperty(key)) {
    return std::nullopt;
  }
  // Raw: Poco's getString would expand "${…}" inside a value (a password).
  return layers_->stack->getRawString(key);
}

std::optional<Settings::Origin> Settings::origin(const std::string& key) const {
  for (size_t i = kLayerCount; i-- > 0;) {
    if (auto it = layers_->origins[i].find(key); it != layers_->origins[i].end()) {
      return Origin{static_cast<ConfigSource>(i), it->second};
    }
  }
  return std::nullopt;
}

std::vector<std::string> Settings::keysIn(ConfigSource source) const {
  std::vector<std::string> keys;
  for (const auto& [key, where] : layers_->origins[static_cast<size_t>(source)]) {
    keys.push_back(key);
  }
  return keys;
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
  const auto from = origin(key);
  throw ConfigError("config key '" + key + "' must be an integer, got '" + *value + "' (" +
                    (from ? from->where : std::string("default")) + ")");
}

bool Settings::getBool(const std::string& key, bool fallback) const {
  const auto value = find(key);
  if (!value || value->empty()) {
    return fallback;
  }
  const std::string text = toLower(*value);
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  const auto from = origin(key);
  throw ConfigError("config key '" + key + "' must be true or false, got '" + *value + "' (" +
                    (from ? from->where : std::string("default")) + ")");
}

std::map<std::string, std::string> Settings::all() const {
  std::map<std::string, std::string> merged;
  for (const auto& layer : layers_->origins) {
    for (const auto& [key, where] : layer) {
      merged.emplace(key, std::string());
    }
  }
  for (auto& [key, value] : merged) {
    value = *find(key);
  }
  return merged;
}

nlohmann::json Settings::section(const std::string& prefix) const {
  nlohmann::json out = nlohmann::json::object();
  const std::string start = prefix + ".";
  for (const auto& [key, value] : all()) {
    if (key.rfind(start, 0) != 0) {
      continue;
    }
    const std::string rest = key.substr(start.size());
    nlohmann::json* node = &out;
    size_t begin = 0;
    while (true) {
      const auto dot = rest.find('.', begin);
      const std::string part = rest.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
      if (dot == std::string::npos) {
        if (!(*node)[part].is_object()) {
          (*node)[part] = value;
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

std::vector<std::string> Settings::problems(const ConfigKeySet& known) const {
  std::vector<std::string> found;
  for (const auto source : {ConfigSource::File, ConfigSource::Environment, ConfigSource::CommandLine}) {
    for (const auto& [key, where] : layers_->origins[static_cast<size_t>(source)]) {
      const ConfigKey* spec = known.find(key);
      if (spec == nullptr) {
        const std::string near = known.nearest(key);
        found.push_back(where + ": unknown config key '" + key + "'" +
                        (near.empty() ? std::string() : "; did you mean '" + near + "'?"));
        continue;
      }
      if (auto problem = spec->problemWith(layers_->maps[static_cast<size_t>(source)]->getRawString(key))) {
        found.push_back(where + ": config key '" + key + "' " + *problem);
      }
    }
  }
  found.insert(found.end(), environmentProblems_.begin(), environmentProblems_.end());
  return found;
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

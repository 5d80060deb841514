#include <switchboard/core/config/ConfigKey.h>

#include <algorithm>
#include <stdexcept>

namespace sb::core {
namespace {

std::optional<int64_t> parseInteger(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  try {
    size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size()) {
      return value;
    }
  } catch (const std::exception&) {
    // not a number
  }
  return std::nullopt;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

ConfigType parseType(const std::string& name, const std::string& key) {
  if (name == "string") return ConfigType::String;
  if (name == "integer") return ConfigType::Integer;
  if (name == "boolean") return ConfigType::Boolean;
  if (name == "choice") return ConfigType::Choice;
  throw std::invalid_argument("config key '" + key + "': type '" + name +
                              "' is not one of string, integer, boolean, choice");
}

}  // namespace

bool ConfigKey::matches(const std::string& key) const {
  if (!isPattern()) {
    return key == name;
  }
  const std::string prefix = patternPrefix();
  return key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0;
}

std::string ConfigKey::typeName() const {
  switch (type) {
    case ConfigType::String: return "string";
    case ConfigType::Integer: return "integer";
    case ConfigType::Boolean: return "boolean";
    case ConfigType::Choice: return "choice";
  }
  return "string";
}

std::optional<std::string> ConfigKey::problemWith(const std::string& value) const {
  if (value.empty()) {
    // Empty means "not set": the code's default applies.
    return std::nullopt;
  }
  switch (type) {
    case ConfigType::String: return std::nullopt;
    case ConfigType::Boolean: {
      const std::string text = lower(value);
      for (const char* word : {"true", "false", "1", "0", "yes", "no", "on", "off"}) {
        if (text == word) return std::nullopt;
      }
      return "must be true or false, got '" + value + "'";
    }
    case ConfigType::Choice: {
      if (std::find(choices.begin(), choices.end(), value) != choices.end()) {
        return std::nullopt;
      }
      std::string list;
      for (const auto& choice : choices) {
        list += (list.empty() ? "" : ", ") + choice;
      }
      const std::string near = nearestWord(value, choices);
      return "must be one of " + list + ", got '" + value + "'" +
             (near.empty() ? "" : "; did you mean '" + near + "'?");
    }
    case ConfigType::Integer: {
      const auto number = parseInteger(value);
      if (!number) {
        return "must be an integer, got '" + value + "'";
      }
      if ((min && *number < *min) || (max && *number > *max)) {
        return "must be " + (min ? std::to_string(*min) : std::string("…")) + ".." +
               (max ? std::to_string(*max) : std::string("…")) + ", got " + value;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void ConfigKeySet::addUnder(const std::string& prefix, const std::vector<ConfigKey>& keys) {
  for (ConfigKey key : keys) {
    key.name = prefix + key.name;
    keys_.push_back(std::move(key));
  }
}

const ConfigKey* ConfigKeySet::find(const std::string& key) const {
  const ConfigKey* pattern = nullptr;
  for (const auto& known : keys_) {
    if (!known.isPattern() && known.name == key) {
      return &known;
    }
    // The longest pattern wins (provider.sim.results.* over provider.sim.*).
    if (known.isPattern() && known.matches(key) && (pattern == nullptr || known.name.size() > pattern->name.size())) {
      pattern = &known;
    }
  }
  return pattern;
}

std::string ConfigKeySet::nearest(const std::string& key) const {
  std::vector<std::string> names;
  names.reserve(keys_.size());
  for (const auto& known : keys_) {
    names.push_back(known.isPattern() ? known.patternPrefix() + "<name>" : known.name);
  }
  return nearestWord(key, names);
}

std::vector<ConfigKey> parseConfigKeys(const nlohmann::json& declared) {
  if (!declared.is_object()) {
    throw std::invalid_argument("\"config\" must be an object of key declarations");
  }
  std::vector<ConfigKey> keys;
  for (const auto& item : declared.items()) {
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    const std::string& name = item.key();
    const nlohmann::json& spec = item.value();
    if (name.empty() || !spec.is_object()) {
      throw std::invalid_argument("config key '" + name + "' must be declared as an object");
    }
    ConfigKey key;
    key.name = name;
    const auto text = [&](const char* field) -> std::string {
      const auto it = spec.find(field);
      if (it == spec.end()) return {};
      if (it->is_string()) return it->get<std::string>();
      if (it->is_number_integer() || it->is_boolean()) return it->dump();
      throw std::invalid_argument("config key '" + name + "': '" + field + "' must be a string");
    };
    key.type = parseType(text("type").empty() ? "string" : text("type"), name);
    key.defaultValue = text("default");
    key.defaultText = text("default_text");
    key.meaning = text("meaning");
    key.secret = spec.value("secret", false);
    key.required = spec.value("required", false);
    if (spec.contains("min")) key.min = spec.at("min").get<int64_t>();
    if (spec.contains("max")) key.max = spec.at("max").get<int64_t>();
    if (spec.contains("choices")) key.choices = spec.at("choices").get<std::vector<std::string>>();
    if (key.type == ConfigType::Choice && key.choices.empty()) {
      throw std::invalid_argument("config key '" + name + "' is a choice with no 'choices'");
    }
    if (auto problem = key.problemWith(key.defaultValue)) {
      throw std::invalid_argument("config key '" + name + "': its default " + *problem);
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

size_t editDistance(const std::string& a, const std::string& b) {
  // Damerau-Levenshtein (optimal string alignment): a swapped pair of
  // letters, the commonest typo, counts as one edit.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string nearestWord(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string target = lower(word);
  const size_t limit = std::max<size_t>(2, target.size() / 3);
  std::string best;
  size_t bestDistance = limit + 1;
  for (const auto& candidate : candidates) {
    const size_t distance = editDistance(target, lower(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

}  // namespace sb::core

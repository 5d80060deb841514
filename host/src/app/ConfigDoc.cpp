#include "app/ConfigDoc.h"

namespace sb::host {
namespace {

std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c == '|' ? std::string("\\|") : std::string(1, c);
  }
  return out;
}

}  // namespace

std::string keyTypeText(const core::ConfigKey& key) {
  switch (key.type) {
    case core::ConfigType::Boolean: return "boolean";
    case core::ConfigType::Integer:
      if (!key.min && !key.max) return "integer";
      return "integer " + (key.min ? std::to_string(*key.min) : std::string()) + ".." +
             (key.max ? std::to_string(*key.max) : std::string());
    case core::ConfigType::Choice: {
      std::string list;
      for (const auto& choice : key.choices) {
        list += (list.empty() ? "" : ", ") + choice;
      }
      return "one of " + list;
    }
    case core::ConfigType::String: return "text";
  }
  return "text";
}

std::string keyDefaultText(const core::ConfigKey& key) {
  if (key.required) return "required";
  if (!key.defaultText.empty()) return key.defaultText;
  if (key.defaultValue.empty()) return "(none)";
  return "`" + key.defaultValue + "`";
}

std::string keysMarkdown(const std::vector<core::ConfigKey>& keys) {
  std::string out = "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& key : keys) {
    const std::string name = key.isPattern() ? key.patternPrefix() + "<name>" : key.name;
    out += "| `" + name + "` | " + cell(keyTypeText(key)) + " | " + cell(keyDefaultText(key)) + " | " +
           cell(key.meaning) + (key.secret ? " (secret: never printed)" : "") + " |\n";
  }
  return out;
}

bool replaceKeysRegion(std::string& doc, const std::string& name, const std::string& table) {
  const std::string open = "<!-- keys:" + name + " -->\n";
  const std::string close = "<!-- /keys -->";
  const auto begin = doc.find(open);
  if (begin == std::string::npos) {
    return false;
  }
  const auto end = doc.find(close, begin);
  if (end == std::string::npos) {
    return false;
  }
  doc.replace(begin + open.size(), end - begin - open.size(), table);
  return true;
}

}  // namespace sb::host

#include <switchboard/core/plugin/JsonSchema.h>

#include <regex>
#include <stdexcept>
#include <unordered_map>

namespace sb::core {
namespace {

/// A pattern compiled once per thread: compiling a std::regex costs far more
/// than matching one (it was most of an OpenAPI fake's time per request).
/// The patterns come from schemas, not from the instances checked; the cache
/// still starts over past a bound.
const std::regex& compiledPattern(const std::string& pattern) {
  constexpr size_t kMaxPatterns = 256;
  thread_local std::unordered_map<std::string, std::regex> cache;
  if (const auto it = cache.find(pattern); it != cache.end()) return it->second;
  if (cache.size() >= kMaxPatterns) cache.clear();
  return cache.emplace(pattern, std::regex(pattern)).first->second;
}

bool hasType(const nlohmann::json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  return false;
}

class Validator {
 public:
  explicit Validator(const nlohmann::json& root) : root_(root) {}

  void check(const nlohmann::json& schema, const nlohmann::json& value, const std::string& at) {
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) errors.push_back(at + ": not allowed");
      return;
    }
    if (auto ref = schema.find("$ref"); ref != schema.end()) {
      const std::string target = ref->get<std::string>();
      if (target.rfind('#', 0) != 0) throw std::invalid_argument("only local $ref supported: " + target);
      check(root_.at(nlohmann::json::json_pointer(target.substr(1))), value, at);
    }
    if (auto type = schema.find("type"); type != schema.end()) {
      bool ok = false;
      if (type->is_array()) {
        for (const auto& t : *type) ok = ok || hasType(value, t.get<std::string>());
      } else {
        ok = hasType(value, type->get<std::string>());
      }
      if (!ok) {
        errors.push_back(at + ": expected type " + type->dump() + ", got " + value.dump());
        return;
      }
    }
    if (auto values = schema.find("enum"); values != schema.end()) {
      bool found = false;
      for (const auto& v : *values) found = found || v == value;
      if (!found) errors.push_back(at + ": " + value.dump() + " is not one of " + values->dump());
    }
    if (auto constant = schema.find("const"); constant != schema.end() && *constant != value) {
      errors.push_back(at + ": expected " + constant->dump());
    }
    if (value.is_string()) {
      const auto& text = value.get_ref<const std::string&>();
      if (auto min = schema.find("minLength"); min != schema.end() && text.size() < min->get<size_t>())
        errors.push_back(at + ": shorter than " + min->dump());
      if (auto max = schema.find("maxLength"); max != schema.end() && text.size() > max->get<size_t>())
        errors.push_back(at + ": longer than " + max->dump());
      if (auto pattern = schema.find("pattern");
          pattern != schema.end() && !std::regex_search(text, compiledPattern(pattern->get<std::string>())))
        errors.push_back(at + ": '" + text + "' does not match " + pattern->get<std::string>());
    }
    if (value.is_number()) {
      if (auto min = schema.find("minimum"); min != schema.end() && value.get<double>() < min->get<double>())
        errors.push_back(at + ": below minimum " + min->dump());
      if (auto max = schema.find("maximum"); max != schema.end() && value.get<double>() > max->get<double>())
        errors.push_back(at + ": above maximum " + max->dump());
    }
    if (value.is_object()) {
      // By reference: a copy of the schema's properties per object checked
      // cost more than the whole check (measured with sb_bench_journal).
      static const nlohmann::json kNoProperties = nlohmann::json::object();
      const auto found = schema.find("properties");
      const nlohmann::json& properties = found != schema.end() ? *found : kNoProperties;
      if (auto required = schema.find("required"); required != schema.end()) {
        for (const auto& name : *required) {
          if (!value.contains(name.get<std::string>()))
            errors.push_back(at + ": missing required property '" + name.get<std::string>() + "'");
        }
      }
      for (auto it = value.begin(); it != value.end(); ++it) {
        const std::string path = at + "/" + it.key();
        if (const auto property = properties.find(it.key()); property != properties.end()) {
          check(*property, it.value(), path);
        } else if (auto extra = schema.find("additionalProperties"); extra != schema.end()) {
          if (extra->is_boolean() && !extra->get<bool>()) {
            errors.push_back(path + ": property not allowed");
          } else if (extra->is_object()) {
            check(*extra, it.value(), path);
          }
        }
      }
    }
    if (value.is_array()) {
      if (auto items = schema.find("items"); items != schema.end()) {
        for (size_t i = 0; i < value.size(); ++i) check(*items, value[i], at + "/" + std::to_string(i));
      }
    }
    if (auto all = schema.find("allOf"); all != schema.end()) {
      for (const auto& sub : *all) check(sub, value, at);
    }
    for (const char* keyword : {"anyOf", "oneOf"}) {
      if (auto options = schema.find(keyword); options != schema.end()) {
        int passed = 0;
        for (const auto& sub : *options) {
          Validator probe(root_);
          probe.check(sub, value, at);
          passed += probe.errors.empty() ? 1 : 0;
        }
        const bool ok = std::string(keyword) == "anyOf" ? passed >= 1 : passed == 1;
        if (!ok) errors.push_back(at + ": " + keyword + " matched " + std::to_string(passed) + " alternatives");
      }
    }
  }

  std::vector<std::string> errors;

 private:
  const nlohmann::json& root_;
};

}  // namespace

std::vector<std::string> validateJson(const nlohmann::json& schema, const nlohmann::json& instance) {
  return validateJson(schema, instance, schema);
}

std::vector<std::string> validateJson(const nlohmann::json& schema, const nlohmann::json& instance,
                                      const nlohmann::json& root) {
  Validator validator(root);
  validator.check(schema, instance, "");
  return validator.errors;
}

}  // namespace sb::core

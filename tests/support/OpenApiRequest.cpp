#include "support/OpenApiRequest.h"

#include "support/JsonSchema.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

namespace sb::test {
namespace {

std::vector<std::string> segmentsOf(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

/// "/a/{Sid}.json" matches "/a/CA1.json": a "{...}" stands for one
/// non-empty piece of a segment, between the segment's literal parts.
bool templateMatches(const std::string& templ, const std::string& path, std::map<std::string, std::string>& captured) {
  captured.clear();
  const auto want = segmentsOf(templ);
  const auto have = segmentsOf(path);
  if (want.size() != have.size()) {
    return false;
  }
  for (size_t i = 0; i < want.size(); ++i) {
    const auto open = want[i].find('{');
    const auto close = want[i].find('}');
    if (open == std::string::npos || close == std::string::npos || close < open) {
      if (want[i] != have[i]) return false;
      continue;
    }
    const std::string prefix = want[i].substr(0, open);
    const std::string suffix = want[i].substr(close + 1);
    if (have[i].size() <= prefix.size() + suffix.size() || have[i].compare(0, prefix.size(), prefix) != 0 ||
        have[i].compare(have[i].size() - suffix.size(), suffix.size(), suffix) != 0) {
      return false;
    }
    captured[want[i].substr(open + 1, close - open - 1)] =
        have[i].substr(prefix.size(), have[i].size() - prefix.size() - suffix.size());
  }
  return true;
}

/// A "$ref" followed to the component it names in `section` (schemas,
/// parameters), by reference: these run on every request a fake serves.
const nlohmann::json& dereference(const nlohmann::json& spec, const nlohmann::json& node, const char* section) {
  const nlohmann::json* at = &node;
  while (at->contains("$ref")) {
    const std::string& ref = (*at)["$ref"].get_ref<const std::string&>();
    at = &spec.at("components").at(section).at(ref.substr(ref.rfind('/') + 1));
  }
  return *at;
}

/// Path parameters against their declared pattern and lengths (a CA... SID
/// where a CF... one belongs is a request Twilio refuses).
std::vector<std::string> checkPathParameters(const nlohmann::json& operation,
                                             const std::map<std::string, std::string>& captured) {
  std::vector<std::string> problems;
  const auto parameters = operation.find("parameters");
  if (parameters == operation.end()) return problems;
  for (const auto& parameter : *parameters) {
    if (parameter.value("in", "") != "path") continue;
    const auto it = captured.find(parameter.value("name", ""));
    const auto schema = parameter.find("schema");
    if (it == captured.end() || schema == parameter.end()) continue;
    // Lengths and pattern by core's validator, which compiles each pattern once.
    for (const auto& problem : validate(*schema, it->second)) {
      problems.push_back("path parameter " + it->first + " '" + it->second + "'" + problem);
    }
  }
  return problems;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

/// Whether `value` is a valid serialization of `schema` in a form body.
std::string checkValue(const nlohmann::json& schema, const std::string& name, const std::string& value) {
  const std::string type = schema.value("type", "string");
  if (type == "array") {
    return schema.contains("items") ? checkValue(schema["items"], name, value) : std::string();
  }
  if (type == "boolean" && value != "true" && value != "false") {
    return name + ": '" + value + "' is not true or false";
  }
  const bool integer = !value.empty() && value != "-" &&
                       std::all_of(value.begin() + (value[0] == '-' ? 1 : 0), value.end(),
                                   [](unsigned char c) { return std::isdigit(c) != 0; });
  if (type == "integer" && !integer) {
    return name + ": '" + value + "' is not an integer";
  }
  if (schema.contains("enum")) {
    for (const auto& allowed : schema["enum"]) {
      if (allowed.is_string() && allowed.get<std::string>() == value) {
        return {};
      }
    }
    return name + ": '" + value + "' is not one of " + schema["enum"].dump();
  }
  return {};
}

/// The operation serving `method` on the concrete `path`, its path
/// parameters in `captured`; null when the description has none.
const nlohmann::json* findOperation(const nlohmann::json& spec, const std::string& method, const std::string& path,
                                    std::map<std::string, std::string>& captured) {
  for (const auto& [templ, item] : spec["paths"].items()) {
    if (templateMatches(templ, path, captured) && item.contains(lower(method))) {
      return &item[lower(method)];
    }
  }
  return nullptr;
}

}  // namespace

OpenApiSpec OpenApiSpec::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read the OpenAPI description " + path);
  }
  OpenApiSpec spec;
  spec.spec_ = nlohmann::json::parse(in);
  return spec;
}

std::vector<std::string> OpenApiSpec::check(const std::string& method, const std::string& path,
                                            const sdk::encoding::FormFields& form) const {
  std::vector<std::string> problems;
  std::map<std::string, std::string> captured;
  const nlohmann::json* operation = findOperation(spec_, method, path, captured);
  if (operation == nullptr) {
    return {"no operation " + method + " " + path + " in the description"};
  }
  problems = checkPathParameters(*operation, captured);
  // Schemas by pointer into the description: the Twilio fake checks every
  // request it serves, and copying them was the cost (as in checkJson).
  static const nlohmann::json kAnyString = nlohmann::json::object();
  std::map<std::string, const nlohmann::json*> declared;
  std::set<std::string> required;
  if (lower(method) == "get") {
    if (const auto parameters = operation->find("parameters"); parameters != operation->end()) {
      for (const auto& parameter : *parameters) {
        if (parameter.value("in", "") != "query") continue;
        const auto schema = parameter.find("schema");
        declared[parameter["name"].get<std::string>()] = schema != parameter.end() ? &*schema : &kAnyString;
        if (parameter.value("required", false)) required.insert(parameter["name"].get<std::string>());
      }
    }
  } else if (operation->contains("requestBody")) {
    const auto& content = (*operation)["requestBody"]["content"];
    if (!content.contains("application/x-www-form-urlencoded")) {
      return {method + " " + path + " takes no form body"};
    }
    const auto& schema = content["application/x-www-form-urlencoded"]["schema"];
    if (const auto properties = schema.find("properties"); properties != schema.end()) {
      for (const auto& [name, property] : properties->items()) declared[name] = &property;
    }
    if (const auto names = schema.find("required"); names != schema.end()) {
      for (const auto& name : *names) required.insert(name.get<std::string>());
    }
  } else if (!form.empty()) {
    return {method + " " + path + " takes no parameters"};
  }
  std::set<std::string> seen;
  for (const auto& [name, value] : form) {
    seen.insert(name);
    auto it = declared.find(name);
    if (it == declared.end()) {
      problems.push_back("unknown parameter " + name);
      continue;
    }
    if (auto problem = checkValue(*it->second, name, value); !problem.empty()) {
      problems.push_back(problem);
    }
  }
  for (const auto& name : required) {
    if (seen.count(name) == 0) {
      problems.push_back("missing required parameter " + name);
    }
  }
  return problems;
}

std::vector<std::string> OpenApiSpec::checkJson(const std::string& method, const std::string& path,
                                                const nlohmann::json& body,
                                                const sdk::encoding::FormFields& query) const {
  std::map<std::string, std::string> captured;
  const nlohmann::json* operation = findOperation(spec_, method, path, captured);
  if (operation == nullptr) {
    return {"no operation " + method + " " + path + " in the description"};
  }
  std::vector<std::string> problems = checkPathParameters(*operation, captured);
  // Query parameters, also through $ref'd parameter objects.
  std::set<std::string> declared;
  if (const auto parameters = operation->find("parameters"); parameters != operation->end()) {
    for (const auto& entry : *parameters) {
      const nlohmann::json& parameter = dereference(spec_, entry, "parameters");
      if (parameter.value("in", "") == "query") declared.insert(parameter.value("name", ""));
    }
  }
  for (const auto& [name, value] : query) {
    if (declared.count(name) == 0) problems.push_back("unknown query parameter " + name);
  }
  const nlohmann::json* schema = nullptr;
  if (operation->contains("requestBody")) {
    const auto& content = (*operation)["requestBody"]["content"];
    if (!content.contains("application/json")) {
      problems.push_back(method + " " + path + " takes no JSON body");
      return problems;
    }
    schema = &content["application/json"]["schema"];
  }
  if (body.is_null()) {
    if (schema != nullptr && (*operation)["requestBody"].value("required", false)) {
      problems.push_back(method + " " + path + " requires a body");
    }
    return problems;
  }
  if (schema == nullptr) {
    problems.push_back(method + " " + path + " takes no body");
    return problems;
  }
  // The schema's "$ref"s resolve against the whole description (a copy of
  // its components per request was most of a fake's time under ASan).
  for (const auto& problem : validate(*schema, body, spec_)) problems.push_back(problem);
  // Unknown fields: the descriptions rarely say additionalProperties false,
  // but a field Telnyx does not know is our bug.
  const nlohmann::json& resolved = dereference(spec_, *schema, "schemas");
  std::set<std::string> known;
  auto collect = [&known](const nlohmann::json& object) {
    if (const auto properties = object.find("properties"); properties != object.end()) {
      for (const auto& [name, value] : properties->items()) known.insert(name);
    }
  };
  collect(resolved);
  if (const auto parts = resolved.find("allOf"); parts != resolved.end()) {
    for (const auto& part : *parts) collect(dereference(spec_, part, "schemas"));
  }
  if (body.is_object() && !known.empty()) {
    for (const auto& [name, value] : body.items()) {
      if (known.count(name) == 0) problems.push_back("unknown field " + name);
    }
  }
  return problems;
}

}  // namespace sb::test

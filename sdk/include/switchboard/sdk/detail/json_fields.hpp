// Field readers that turn a malformed request into InvalidArgument naming
// the field, instead of a bare nlohmann exception.
#pragma once

#include <switchboard/sdk/status.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace sb::sdk::detail {

inline const nlohmann::json* field(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) {
    throw ProviderError(Status::InvalidArgument, "request must be a JSON object");
  }
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

inline std::string requiredString(const nlohmann::json& object, const char* name) {
  const nlohmann::json* value = field(object, name);
  if (value == nullptr || !value->is_string() || value->get_ref<const std::string&>().empty()) {
    throw ProviderError(Status::InvalidArgument, std::string("field '") + name + "' must be a non-empty string");
  }
  return value->get<std::string>();
}

inline std::string optionalString(const nlohmann::json& object, const char* name) {
  const nlohmann::json* value = field(object, name);
  if (value == nullptr) {
    return {};
  }
  if (!value->is_string()) {
    throw ProviderError(Status::InvalidArgument, std::string("field '") + name + "' must be a string");
  }
  return value->get<std::string>();
}

inline std::optional<bool> optionalBool(const nlohmann::json& object, const char* name) {
  const nlohmann::json* value = field(object, name);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (!value->is_boolean()) {
    throw ProviderError(Status::InvalidArgument, std::string("field '") + name + "' must be true or false");
  }
  return value->get<bool>();
}

inline std::optional<int64_t> optionalInt(const nlohmann::json& object, const char* name) {
  const nlohmann::json* value = field(object, name);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (!value->is_number_integer()) {
    throw ProviderError(Status::InvalidArgument, std::string("field '") + name + "' must be an integer");
  }
  return value->get<int64_t>();
}

inline void putIfSet(nlohmann::json& object, const char* name, const std::string& value) {
  if (!value.empty()) {
    object[name] = value;
  }
}

template <typename T>
void putIfSet(nlohmann::json& object, const char* name, const std::optional<T>& value) {
  if (value.has_value()) {
    object[name] = *value;
  }
}

}  // namespace sb::sdk::detail

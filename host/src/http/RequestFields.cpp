#include "http/RequestFields.h"

#include "http/ApiError.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/calls/CallLedger.h>
#include <switchboard/sdk/civil_time.hpp>

#include <regex>

namespace sb::host {
namespace {

ApiError fieldError(int status, const std::string& message, const char* field) {
  return ApiError(status, "VALIDATION_ERROR", message, {{"field", field}});
}

}  // namespace

int64_t intParam(const ApiRequest& request, const char* name, int64_t fallback) {
  const auto value = request.queryParam(name);
  if (!value || value->empty()) {
    return fallback;
  }
  try {
    size_t used = 0;
    const long long parsed = std::stoll(*value, &used);
    if (used == value->size()) return parsed;
  } catch (const std::exception&) {
    // reported below
  }
  throw ApiError::validation(std::string(name) + " must be an integer", {{"field", name}, {"value", *value}});
}

int64_t pathId(const ApiRequest& request, const char* what) {
  const std::string& text = request.params.at("id");
  try {
    size_t used = 0;
    const long long id = std::stoll(text, &used);
    if (used == text.size() && id > 0) return id;
  } catch (const std::exception&) {
    // reported below
  }
  throw ApiError::notFound(std::string("no ") + what + " '" + text + "'");
}

std::optional<int64_t> timeParam(const ApiRequest& request, const char* name) {
  const auto value = request.queryParam(name);
  if (!value || value->empty()) {
    return std::nullopt;
  }
  static const std::regex kIso(R"((\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?)?)");
  static const std::regex kSeconds(R"(\d{1,12})");
  std::smatch m;
  if (std::regex_match(*value, m, kIso)) {
    const int64_t days = sdk::daysFromCivil(std::stoll(m[1]), std::stoll(m[2]), std::stoll(m[3]));
    int64_t seconds = days * 86400;
    if (m[4].matched) seconds += std::stoll(m[4]) * 3600 + std::stoll(m[5]) * 60;
    if (m[6].matched) seconds += std::stoll(m[6]);
    return seconds * 1000;
  }
  if (std::regex_match(*value, kSeconds)) {
    return std::stoll(*value) * 1000;
  }
  throw ApiError::validation(std::string(name) + " must be a date (2025-11-12), an ISO 8601 UTC time or Unix seconds",
                             {{"field", name}, {"value", *value}});
}

std::optional<std::string> optionalString(const nlohmann::json& body, const char* field, int status) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    throw fieldError(status, std::string(field) + " must be a string", field);
  }
  return it->get<std::string>();
}

std::string requiredString(const nlohmann::json& body, const char* field, int status) {
  auto value = optionalString(body, field, status);
  if (!value || value->empty()) {
    throw fieldError(status, std::string(field) + " is required", field);
  }
  return *value;
}

std::optional<bool> optionalBool(const nlohmann::json& body, const char* field, int status) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) {
    throw fieldError(status, std::string(field) + " must be true or false", field);
  }
  return it->get<bool>();
}

std::optional<int64_t> optionalInt(const nlohmann::json& body, const char* field, int status) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) {
    throw fieldError(status, std::string(field) + " must be an integer", field);
  }
  return it->get<int64_t>();
}

std::string agentIdFor(const ApiRequest& request, const nlohmann::json& body) {
  return agentFor(request, body).id;
}

AgentOfCall agentFor(const ApiRequest& request, const nlohmann::json& body) {
  const core::Principal& principal = *request.principal;
  if (principal.role != core::Role::Admin) {
    return {principal.keyName, true};
  }
  // Stored as the call's agent and shown to everyone: bounded here (the
  // server already refused a header that is not UTF-8).
  const auto bounded = [](std::string id, const char* field) {
    if (id.size() > 128) {
      throw ApiError::validation(std::string(field) + " must be at most 128 bytes", {{"field", field}});
    }
    return id;
  };
  if (auto named = optionalString(body, "agent_id"); named && !named->empty()) {
    return {bounded(*named, "agent_id"), true};
  }
  if (auto header = request.header("X-Agent-Id"); header && !header->empty()) {
    return {bounded(*header, "X-Agent-Id"), true};
  }
  return {principal.keyName, false};
}

void requireOwnCall(const ApiRequest& request, const std::string& callAgentId, const std::string& reference) {
  const core::Principal& principal = *request.principal;
  if (principal.role != core::Role::Admin && principal.keyName != callAgentId) {
    throw core::CallLedger::callNotFound(reference);
  }
}

void requireVisibleCall(const ApiRequest& request, const std::string& callAgentId, const std::string& reference) {
  const core::Principal& principal = *request.principal;
  if (!core::seesEveryAgent(principal.role) && principal.keyName != callAgentId) {
    throw core::CallLedger::callNotFound(reference);
  }
}

std::string agentScope(const ApiRequest& request, const std::string& requested) {
  const core::Principal& principal = *request.principal;
  if (core::seesEveryAgent(principal.role)) {
    return requested;
  }
  if (!requested.empty() && requested != principal.keyName) {
    throw ApiError::forbidden(
        "an agent sees its own calls only; agent_id names another agent (a supervisor or an "
        "admin sees everyone's)");
  }
  return principal.keyName;
}

}  // namespace sb::host

#pragma once

#include "http/ApiTypes.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace sb::host {

/// Reading typed fields from query strings, paths and JSON bodies, with
/// VALIDATION_ERROR (400, or `status` where the contract says 422) naming
/// the field when one is malformed.

int64_t intParam(const ApiRequest& request, const char* name, int64_t fallback);
/// The {id} of the path as a positive integer; anything else is NOT_FOUND.
int64_t pathId(const ApiRequest& request, const char* what);
/// A query parameter as Unix ms: ISO 8601 date ("2025-11-12") or time
/// ("2025-11-12T10:30:00Z"), or Unix seconds.
std::optional<int64_t> timeParam(const ApiRequest& request, const char* name);

std::optional<std::string> optionalString(const nlohmann::json& body, const char* field, int status = 400);
std::string requiredString(const nlohmann::json& body, const char* field, int status = 400);
std::optional<bool> optionalBool(const nlohmann::json& body, const char* field, int status = 400);
std::optional<int64_t> optionalInt(const nlohmann::json& body, const char* field, int status = 400);

struct AgentOfCall {
  std::string id;
  bool named = true;  ///< false: an admin key acting for no one in particular
};

/// Who a call belongs to: an agent key acts as itself (its key name); an
/// admin key (the admin board) may act for an agent named in `agent_id`
/// (body) or the X-Agent-Id header, else for no one in particular (the
/// key's name, not named: product §2.3, not limited to one call).
AgentOfCall agentFor(const ApiRequest& request, const nlohmann::json& body);
std::string agentIdFor(const ApiRequest& request, const nlohmann::json& body);

/// An agent key may act only on its own calls (an admin key on any): a
/// call of another agent is reported as not found, so its existence does
/// not leak: the same error a missing call gives (core's, which each API
/// words its own way). `callAgentId` is the call's agent.
void requireOwnCall(const ApiRequest& request, const std::string& callAgentId, const std::string& reference);
/// Reading a call: supervisors and admins see every agent's; an agent its
/// own only (another's is not found, as above).
void requireVisibleCall(const ApiRequest& request, const std::string& callAgentId, const std::string& reference);
/// The agent a list, an export, the stats or a stream is limited to: for a
/// supervisor or an admin, `requested` (empty: everyone); an agent gets its
/// own, and asking for another agent's is FORBIDDEN.
std::string agentScope(const ApiRequest& request, const std::string& requested);

}  // namespace sb::host

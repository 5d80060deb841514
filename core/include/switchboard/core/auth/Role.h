#pragma once

#include <string>

namespace sb::core {

/// What a key or a person may do (product §4b). An agent works its own
/// calls and lists; a supervisor also sees every agent's; an admin manages
/// people, keys and settings. API keys are agent or admin keys.
enum class Role { Agent, Supervisor, Admin };

/// Supervisors and admins see every agent's calls, live events and stats;
/// an agent sees its own.
inline bool seesEveryAgent(Role role) {
  return role == Role::Supervisor || role == Role::Admin;
}

/// "agent", "supervisor" or "admin".
std::string roleName(Role role);
/// Parses roleName's words; throws std::invalid_argument naming them otherwise.
Role parseRole(const std::string& text);

}  // namespace sb::core

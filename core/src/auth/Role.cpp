#include <switchboard/core/auth/Role.h>

#include <stdexcept>

namespace sb::core {

std::string roleName(Role role) {
  switch (role) {
    case Role::Agent: return "agent";
    case Role::Supervisor: return "supervisor";
    case Role::Admin: return "admin";
  }
  return "agent";
}

Role parseRole(const std::string& text) {
  if (text == "agent") return Role::Agent;
  if (text == "supervisor") return Role::Supervisor;
  if (text == "admin") return Role::Admin;
  throw std::invalid_argument("role must be 'agent', 'supervisor' or 'admin', got '" + text + "'");
}

}  // namespace sb::core

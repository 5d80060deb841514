#include "routes/UserRoutes.h"

#include "http/ApiError.h"
#include "http/RequestFields.h"
#include "routes/Audit.h"

#include <switchboard/core/text/Time.h>
#include <switchboard/core/users/Passwords.h>

namespace sb::host {
namespace {

/// A person's fields and a password fit in a few KiB.
constexpr size_t kUserBodyBytes = 8192;

nlohmann::json userJson(const core::UserRecord& user) {
  auto iso = [](int64_t ms) { return core::formatUtc(ms / 1000); };
  return {{"id", user.id},
          {"email", user.email},
          {"name", user.displayName},
          {"role", user.role},
          {"disabled", user.disabled},
          {"created_at", iso(user.createdAt)},
          {"updated_at", iso(user.updatedAt)},
          {"last_sign_in_at", user.lastSignInAt ? nlohmann::json(iso(*user.lastSignInAt)) : nullptr}};
}

core::Role roleField(const std::string& text) {
  try {
    return core::parseRole(text);
  } catch (const std::invalid_argument&) {
    throw ApiError::validation("role must be agent, supervisor or admin", {{"field", "role"}});
  }
}

/// The password in the body, or a generated one (then `generated`).
std::string passwordFrom(const nlohmann::json& body, bool& generated) {
  const auto given = optionalString(body, "password");
  generated = !given || given->empty();
  if (given && given->size() > core::passwords::kMaxBytes) {
    throw ApiError::validation("password is longer than " + std::to_string(core::passwords::kMaxBytes) + " bytes",
                               {{"field", "password"}});
  }
  return generated ? core::passwords::generate() : *given;
}

nlohmann::json withPassword(nlohmann::json body, bool generated, const std::string& password) {
  if (generated) {
    // Shown once, to the admin who asked: stored hashed, never again in clear.
    body["password"] = password;
  }
  return body;
}

ApiResponse noStore(ApiResponse response) {
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

void addUserRoutes(Router& router, HostContext& context) {
  router.add({"GET", "/api/v1/users", "users.list", Access::Admin, 0, 0, [&context](const ApiRequest&) {
                nlohmann::json data = nlohmann::json::array();
                for (const auto& user : context.users().list()) data.push_back(userJson(user));
                return ApiResponse::json(200, {{"data", data}});
              }});

  router.add(
      {"POST", "/api/v1/users", "users.create", Access::Admin, 30, kUserBodyBytes,
       [&context](const ApiRequest& request) {
         const nlohmann::json body = request.jsonBody();
         core::NewUser user;
         user.email = requiredString(body, "email");
         user.displayName = requiredString(body, "name");
         user.role = roleField(optionalString(body, "role").value_or("agent"));
         bool generated = false;
         user.password = passwordFrom(body, generated);
         const auto created = context.users().create(user);
         context.audit().record(auditEntry(request, "user.created", created.email, {{"role", created.role}}));
         return noStore(ApiResponse::json(201, withPassword({{"user", userJson(created)}}, generated, user.password)));
       }});

  router.add({"PATCH", "/api/v1/users/{id}", "users.update", Access::Admin, 60, kUserBodyBytes,
              [&context](const ApiRequest& request) {
                const nlohmann::json body = request.jsonBody();
                const auto role = optionalString(body, "role");
                const auto disabled = optionalBool(body, "disabled");
                if (!role && !disabled) {
                  throw ApiError::validation("send role or disabled", {{"field", "role"}});
                }
                auto user = context.users().find(request.params.at("id"));
                if (role) {
                  const std::string before = user.role;
                  user = context.users().setRole(user.id, roleField(*role));
                  if (user.role != before) {
                    context.audit().record(
                        auditEntry(request, "user.role_changed", user.email, {{"from", before}, {"to", user.role}}));
                  }
                }
                if (disabled && *disabled != user.disabled) {
                  user = context.users().setDisabled(user.id, *disabled);
                  if (user.disabled) {
                    context.sessions().endSessionsOf(user.id);  // signed out everywhere, now
                  }
                  context.audit().record(
                      auditEntry(request, user.disabled ? "user.disabled" : "user.enabled", user.email));
                }
                return ApiResponse::json(200, {{"user", userJson(user)}});
              }});

  router.add({"POST", "/api/v1/users/{id}/password", "users.reset_password", Access::Admin, 30, kUserBodyBytes,
              [&context](const ApiRequest& request) {
                const nlohmann::json body = request.body.empty() ? nlohmann::json::object() : request.jsonBody();
                const auto existing = context.users().find(request.params.at("id"));
                bool generated = false;
                const std::string password = passwordFrom(body, generated);
                const auto user = context.users().resetPassword(existing.id, password);
                // Whoever knew the old password is signed out everywhere.
                context.sessions().endSessionsOf(user.id);
                context.audit().record(auditEntry(request, "user.password_reset", user.email));
                return noStore(ApiResponse::json(200, withPassword({{"user", userJson(user)}}, generated, password)));
              }});
}

}  // namespace sb::host

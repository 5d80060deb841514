#include "routes/SessionRoutes.h"

#include "http/ApiError.h"
#include "http/SessionCookie.h"
#include "routes/Audit.h"
#include "routes/Routes.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/text/Time.h>
#include <switchboard/core/users/Passwords.h>

namespace sb::host {
namespace {

/// A sign-in body is two short strings.
constexpr size_t kSignInBodyBytes = 4096;

std::string field(const nlohmann::json& body, const char* name, size_t maxBytes) {
  const auto it = body.find(name);
  if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    throw ApiError::validation(std::string(name) + " is required (a string)", {{"field", name}});
  }
  const auto& value = it->get_ref<const std::string&>();
  if (value.size() > maxBytes) {
    throw ApiError::validation(std::string(name) + " is longer than " + std::to_string(maxBytes) + " bytes",
                               {{"field", name}});
  }
  return value;
}

}  // namespace

void addSessionRoutes(Router& router, HostContext& context) {
  const bool secure = serverOptionsFrom(context.settings()).secureCookies;

  router.add(
      {"POST", "/api/v1/session", "session.create", Access::Public, 0, kSignInBodyBytes,
       [&context, secure](const ApiRequest& request) {
         const nlohmann::json body = request.jsonBody();
         const std::string email = field(body, "email", core::UserService::kMaxEmailBytes);
         const std::string password = field(body, "password", core::passwords::kMaxBytes);
         std::optional<core::OpenedSession> opened;
         try {
           opened = context.sessions().signIn(email, password, request.clientAddr);
         } catch (const core::SignInThrottled& e) {
           core::logger("auth")->warn("sign-in refused for now (too many failures) from {}", request.clientAddr);
           context.audit().record(
               auditEntry(request, "session.sign_in_throttled", email, {{"retry_after_s", e.retryAfterS()}}));
           throw ApiError(429, "RATE_LIMITED", e.what()).withRetryAfter(static_cast<int>(e.retryAfterS()));
         }
         if (!opened) {
           // Never the password; the address says where guesses come from.
           core::logger("auth")->info("failed sign-in from {}", request.clientAddr);
           context.audit().record(auditEntry(request, "session.sign_in_failed", email));
           throw ApiError(401, "INVALID_CREDENTIALS", "the email or the password is wrong, or the account is disabled");
         }
         core::logger("auth")->info("{} signed in from {}", opened->user.id, request.clientAddr);
         core::AuditEntry signedIn = auditEntry(request, "session.sign_in", opened->user.email);
         signedIn.actor = opened->user.id;
         signedIn.actorName = opened->user.email;
         context.audit().record(std::move(signedIn));
         const auto& options = context.sessions().options();
         ApiResponse response = ApiResponse::json(200, {{"user",
                                                         {{"id", opened->user.id},
                                                          {"email", opened->user.email},
                                                          {"name", opened->user.displayName},
                                                          {"role", opened->user.role}}},
                                                        {"expires_at", core::formatUtc(opened->expiresAt / 1000)},
                                                        {"idle_timeout_s", options.idle.count()}});
         response.headers.emplace_back("Set-Cookie", setSessionCookie(opened->token, options.absolute.count(), secure));
         response.headers.emplace_back("Cache-Control", "no-store");
         return response;
       }});

  router.add({"DELETE", "/api/v1/session", "session.delete", Access::Agent, 0, 0,
              [&context, secure](const ApiRequest& request) {
                if (const auto token = sessionCookie(request)) {
                  context.sessions().signOut(*token);
                  core::logger("auth")->info("{} signed out", request.principal->keyId);
                  context.audit().record(auditEntry(request, "session.sign_out", request.principal->email));
                }
                ApiResponse response;
                response.status = 204;
                response.headers.emplace_back("Set-Cookie", clearSessionCookie(secure));
                return response;
              }});
}

}  // namespace sb::host

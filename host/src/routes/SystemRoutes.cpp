#include "routes/SystemRoutes.h"

#include "http/ApiError.h"

#include <switchboard/version.h>

namespace sb::host {

const char* openApiDocument();  // generated from host/api/openapi.json

namespace {

/// The embedded description with the cold-call paths under the configured
/// prefix.
nlohmann::json openApiFor(const core::Settings& settings) {
  nlohmann::json doc = nlohmann::json::parse(openApiDocument());
  const std::string standard = "/api/v1/cold-call";
  std::string prefix = settings.getString("coldcall.prefix", standard);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (prefix != standard) {
    nlohmann::json paths = nlohmann::json::object();
    for (auto& [path, item] : doc["paths"].items()) {
      paths[path.rfind(standard, 0) == 0 ? prefix + path.substr(standard.size()) : path] = item;
    }
    doc["paths"] = paths;
  }
  return doc;
}

}  // namespace

void addSystemRoutes(Router& router, HostContext& context) {
  const std::string openApi = openApiFor(context.settings()).dump();
  router.add({"GET", "/api/v1/openapi.json", "openapi", Access::Public, 0, 0, [openApi](const ApiRequest&) {
                ApiResponse response;
                response.body = openApi;
                return response;
              }});

  router.add({"GET", "/health", "health", Access::Public, 0, 0, [](const ApiRequest&) {
                return ApiResponse::json(200, {{"status", "healthy"}, {"version", SB_VERSION}});
              }});

  router.add(
      {"GET", "/ready", "ready", Access::Public, 0, 0, [&context](const ApiRequest&) {
         nlohmann::json checks = nlohmann::json::object();
         bool ready = true;
         try {
           context.database().ping();
           checks["database"] = "ok";
         } catch (const std::exception& e) {
           checks["database"] = std::string("error: ") + e.what();
           ready = false;
         }
         if (context.provider() != nullptr) {
           checks["provider"] = "ok";
         } else {
           checks["provider"] = context.providerProblem();
           ready = false;
         }
         return ApiResponse::json(ready ? 200 : 503, {{"status", ready ? "ready" : "not_ready"}, {"checks", checks}});
       }});

  // Prometheus scrapes without a key unless metrics.require_key is set.
  const Access metricsAccess =
      context.settings().getBool("metrics.require_key", false) ? Access::Admin : Access::Public;
  router.add({"GET", "/metrics", "metrics", metricsAccess, 0, 0, [&context](const ApiRequest&) {
                ApiResponse response;
                response.contentType = "text/plain; version=0.0.4; charset=utf-8";
                response.body = context.metrics().render();
                return response;
              }});

  router.add({"GET", "/api/v1/me", "me", Access::Agent, 0, 0, [](const ApiRequest& request) {
                const core::Principal& who = *request.principal;
                nlohmann::json me = {{"kind", who.session ? "user" : "key"},
                                     {"key_id", who.keyId},
                                     {"name", who.keyName},
                                     {"role", core::roleName(who.role)}};
                if (who.session) {
                  me["email"] = who.email;
                  me["display_name"] = who.displayName;
                }
                return ApiResponse::json(200, me);
              }});

  router.add({"GET", "/api/v1/keys", "keys.list", Access::Admin, 0, 0, [&context](const ApiRequest&) {
                nlohmann::json keys = nlohmann::json::array();
                for (const auto& record : context.apiKeys().list()) {
                  nlohmann::json key = {{"id", record.id},
                                        {"name", record.name},
                                        {"role", record.role},
                                        {"prefix", record.prefix},
                                        {"created_at", record.createdAt},
                                        {"revoked", record.revokedAt.has_value()}};
                  keys.push_back(key);
                }
                return ApiResponse::json(200, {{"keys", keys}});
              }});

  router.add({"GET", "/api/v1/provider", "provider.get", Access::Agent, 0, 0, [&context](const ApiRequest&) {
                const core::ProviderProxy* provider = context.provider();
                if (provider == nullptr) {
                  throw ApiError(503, "PROVIDER_ERROR", context.providerProblem());
                }
                const auto& plugin = provider->plugin();
                return ApiResponse::json(200, {{"id", plugin.id()},
                                               {"name", plugin.displayName()},
                                               {"version", plugin.version()},
                                               {"abi", plugin.abiVersion()},
                                               {"capabilities", plugin.capabilities()}});
              }});
}

}  // namespace sb::host

#include "routes/Routes.h"

#include "routes/Audit.h"
#include "routes/CallRoutes.h"
#include "routes/ColdCallRoutes.h"
#include "routes/ContactRoutes.h"
#include "routes/EventRoutes.h"
#include "routes/SessionRoutes.h"
#include "routes/StaticRoutes.h"
#include "routes/SystemRoutes.h"
#include "routes/TeamRoutes.h"
#include "routes/UserRoutes.h"
#include "routes/WebhookRoutes.h"

namespace sb::host {

void addAllRoutes(Router& router, HostContext& context) {
  addSystemRoutes(router, context);
  addSessionRoutes(router, context);
  addAuditRoutes(router, context);
  addUserRoutes(router, context);
  addTeamRoutes(router, context);
  addContactRoutes(router, context);
  addCallRoutes(router, context);
  addColdCallRoutes(router, context);
  addEventRoutes(router, context);
  addStaticRoutes(router, context);
  addWebhookRoutes(router, context);
}

ServerOptions serverOptionsFrom(const core::Settings& settings) {
  ServerOptions options;
  options.host = settings.getString("http.host", "127.0.0.1");
  const int64_t port = settings.getInt("http.port", 8080);
  if (port < 0 || port > 65535) {
    throw core::ConfigError("http.port must be 0-65535, got " + std::to_string(port));
  }
  options.port = static_cast<uint16_t>(port);
  options.ioThreads = static_cast<int>(settings.getInt("http.io_threads", 1));
  options.maxThreads = static_cast<int>(settings.getInt("http.max_threads", 256));
  options.maxQueued = static_cast<int>(settings.getInt("http.max_queued", 256));
  options.maxConnections = static_cast<int>(settings.getInt("http.max_connections", 4096));
  options.keepAliveTimeoutS = static_cast<int>(settings.getInt("http.keep_alive_timeout_s", 5));
  options.ioTimeoutS = static_cast<int>(settings.getInt("http.io_timeout_s", 30));
  if (options.ioThreads < 1 || options.ioThreads > 64) {
    throw core::ConfigError("http.io_threads must be 1-64, got " + std::to_string(options.ioThreads));
  }
  options.maxConnectionsPerClient = static_cast<int>(settings.getInt("http.max_connections_per_client", 256));
  options.maxUploads = static_cast<int>(settings.getInt("http.max_uploads", 8));
  options.maxUploadsPerClient = static_cast<int>(settings.getInt("http.max_uploads_per_client", 2));
  options.bodyMinBytesPerSecond = static_cast<int>(settings.getInt("http.body_min_bytes_per_s", 1024));
  options.bodyGraceS = static_cast<int>(settings.getInt("http.body_grace_s", 10));
  options.authFailuresPerMinute = static_cast<int>(settings.getInt("auth.failures_per_minute", 30));
  const int64_t depth = settings.getInt("http.max_json_depth", 64);
  if (depth < 2 || depth > 1000) {
    throw core::ConfigError("http.max_json_depth must be 2-1000, got " + std::to_string(depth));
  }
  options.maxJsonDepth = static_cast<size_t>(depth);
  for (const auto& [name, value] : {std::pair{"http.max_connections_per_client", options.maxConnectionsPerClient},
                                    std::pair{"http.max_uploads", options.maxUploads},
                                    std::pair{"http.max_uploads_per_client", options.maxUploadsPerClient},
                                    std::pair{"http.body_grace_s", options.bodyGraceS},
                                    std::pair{"auth.failures_per_minute", options.authFailuresPerMinute}}) {
    if (value < 1) {
      throw core::ConfigError(std::string(name) + " must be at least 1, got " + std::to_string(value));
    }
  }
  options.defaultMaxBodyBytes = static_cast<size_t>(settings.getInt("http.max_body_bytes", 1048576));
  options.defaultRatePerMinute = static_cast<int>(settings.getInt("ratelimit.default_per_minute", 600));
  options.logRequests = settings.getBool("http.log_requests", true);
  // The page's origin: scheme, host and port of public_base_url.
  const std::string base = settings.getString("public_base_url", "");
  if (const size_t scheme = base.find("://"); scheme != std::string::npos) {
    const size_t path = base.find('/', scheme + 3);
    options.publicOrigin = base.substr(0, path);
    options.secureCookies = base.rfind("https://", 0) == 0;
  }
  const std::string prefix = "ratelimit.";
  for (const auto& [key, value] : settings.all()) {
    if (key.rfind(prefix, 0) == 0 && key != "ratelimit.default_per_minute") {
      options.rateOverrides[key.substr(prefix.size())] = static_cast<int>(settings.getInt(key, 0));
    }
  }
  return options;
}

}  // namespace sb::host

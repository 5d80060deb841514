#pragma once

#include "http/RateLimiter.h"
#include "http/Router.h"

#include <switchboard/core/auth/ApiKeyService.h>
#include <switchboard/core/metrics/Metrics.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace Poco {
class ThreadPool;
}
namespace Poco::Net {
class HTTPServer;
class ServerSocket;
}  // namespace Poco::Net

namespace sb::host {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  ///< 0 picks a free port (tests)
  /// Poco holds one pool thread per kept-alive connection
  /// (architecture.md): size this for the expected connections.
  int maxThreads = 256;
  int maxQueued = 256;
  int keepAliveTimeoutS = 5;
  size_t defaultMaxBodyBytes = size_t{1024} * 1024;
  int defaultRatePerMinute = 600;
  /// Per-route overrides of the rate limit, by route name.
  std::map<std::string, int> rateOverrides;
  bool logRequests = true;
};

/// The HTTP spine: one Poco HTTPServer whose single handler routes, checks
/// the API key, applies rate and size limits, calls the route, maps errors to
/// the envelope and writes one structured log line per request.
class ApiServer {
 public:
  /// `metrics` (optional) gets request counts and durations by route.
  ApiServer(std::shared_ptr<const Router> router, ServerOptions options, core::ApiKeyService& apiKeys,
            core::Metrics* metrics = nullptr);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  /// Binds the listening socket (so the port is known before start()).
  void bind();
  void start();
  void stop();
  uint16_t port() const;
  /// The rate limit in force for a route (override, route default, global).
  int rateFor(const Route& route) const;

  struct Shared;  ///< state the per-request handlers use

 private:
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Poco::Net::ServerSocket> socket_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace sb::host

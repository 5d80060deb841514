#pragma once

#include "http/ApiServer.h"
#include "http/RateLimiter.h"
#include "http/Router.h"

#include <switchboard/core/auth/ApiKeyService.h>
#include <switchboard/core/metrics/Metrics.h>

#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <string>

namespace sb::host {

/// What every request goes through once the HTTP server has read it, apart
/// from the wire: the route's key check, rate limit and handler, errors
/// mapped to the envelope, and the request's metrics and log line.
/// THREADING: thread-safe.
class RequestPipeline {
 public:
  RequestPipeline(std::shared_ptr<const Router> router, ServerOptions options, core::ApiKeyService& apiKeys,
                  core::Metrics* metrics, core::SessionService* sessions = nullptr);

  const ServerOptions& options() const noexcept { return options_; }
  RouteMatch match(const std::string& method, const std::string& path) const { return router_->match(method, path); }
  /// The most body bytes a route (or an unmatched request) may send.
  size_t bodyLimit(const Route* route) const;
  int rateFor(const Route& route) const;

  /// Runs a routed request on the calling thread: 404/405 for no route, the
  /// key check, the rate limit, then the handler. `respond` is called once,
  /// before run() returns or, for an async route, later from any thread.
  void run(ApiRequest& request, const RouteMatch& match, const Responder& respond);

  /// The route's key check, role and rate limit (throws ApiError); run()
  /// does it unless the server already did, from the head of a request
  /// whose body it must not wait for first.
  void admit(ApiRequest& request, const RouteMatch& match);
  /// The part of admit() that reads nothing (the address's budget of failed
  /// key checks, a key present at all): cheap enough for the I/O thread, so
  /// a flood without keys is refused there instead of filling the workers'
  /// queue. Throws ApiError.
  void precheck(const ApiRequest& request, const Route& route);

  /// Counts and logs a request that was answered.
  void finished(const ApiRequest& request, const std::string& target, const std::string& routeName, int status,
                size_t bodyBytes, std::chrono::steady_clock::time_point started);

  /// The X-Request-Id a client sent when it is safe to echo, or a new one.
  static std::string requestIdFrom(std::string_view given);

 private:
  void authenticate(const Route& route, ApiRequest& request);
  /// The person a session cookie names, if any (sessions_ set).
  std::optional<core::Principal> fromSession(const ApiRequest& request);
  /// A request that changes something with a session cookie must come
  /// from the page's own origin (cross-site request forgery); throws 403.
  void checkOrigin(const ApiRequest& request) const;
  void countRequest(const std::string& route, const std::string& method, int status, double seconds);
  /// Counts a failed key check from the request's address.
  [[noreturn]] void authFailed(const ApiRequest& request, const std::string& message);

  std::shared_ptr<const Router> router_;
  ServerOptions options_;
  core::ApiKeyService& apiKeys_;
  core::Metrics* metrics_;
  core::SessionService* sessions_;
  RateLimiter rateLimiter_;
  const uint64_t serial_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace sb::host

#pragma once

#include "http/Router.h"

#include <switchboard/core/auth/ApiKeyService.h>
#include <switchboard/core/metrics/Metrics.h>
#include <switchboard/core/users/SessionService.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace sb::host {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  ///< 0 picks a free port (tests)
  /// Threads that read and write connections (each runs its share of them
  /// on epoll). One keeps a 2-core host's cores for the work.
  int ioThreads = 1;
  /// The most threads running route handlers at once (a handler may block
  /// on a provider); started on demand.
  int maxThreads = 256;
  /// Requests that may wait for a handler thread beyond those; past it the
  /// server answers 503.
  int maxQueued = 256;
  /// Open connections beyond this are closed as they arrive (clamped at
  /// start to what the process may open: RLIMIT_NOFILE less a reserve).
  int maxConnections = 4096;
  /// Open connections from one client address beyond this are closed as
  /// they arrive, so that one client cannot fill maxConnections.
  int maxConnectionsPerClient = 256;
  /// Bodies read by a handler as they arrive (uploads) hold a handler
  /// thread each: at most this many at once, and this many per client
  /// address; beyond them 503/429 with Retry-After, before any body byte.
  int maxUploads = 8;
  int maxUploadsPerClient = 2;
  /// A body must arrive at this average rate (bytes/s) once it has taken
  /// longer than bodyGraceS; a slower one is cut off (408).
  int bodyMinBytesPerSecond = 1024;
  int bodyGraceS = 10;
  /// Arrays and objects in a JSON body nest at most this deep (400 past it).
  size_t maxJsonDepth = 64;
  /// Failed key checks from one client address per minute before it is
  /// answered 429 without a lookup.
  int authFailuresPerMinute = 30;
  /// Where the page is served from ("https://dialer.example.com", from
  /// public_base_url): a request that changes something with a session
  /// cookie must carry it as its Origin (or the origin of its Host header).
  std::string publicOrigin;
  /// Session cookies get Secure (public_base_url is https).
  bool secureCookies = false;
  int keepAliveTimeoutS = 5;
  int ioTimeoutS = 30;
  size_t defaultMaxBodyBytes = size_t{1024} * 1024;
  int defaultRatePerMinute = 600;
  /// Per-route overrides of the rate limit, by route name.
  std::map<std::string, int> rateOverrides;
  bool logRequests = true;
};

/// The HTTP spine: reads requests on a few I/O threads (Boost.Beast on
/// Asio), routes them, checks the API key, applies rate and size limits,
/// runs the route on a worker thread, maps errors to the envelope and
/// writes one structured log line per request. A webhook waiting for its
/// batch to commit holds no thread (architecture.md: the thread per
/// connection and per waiting request was the measured cost).
class ApiServer {
 public:
  /// `metrics` (optional) gets request counts and durations by route.
  /// `sessions` (optional) lets people signed in with a session cookie in.
  ApiServer(std::shared_ptr<const Router> router, ServerOptions options, core::ApiKeyService& apiKeys,
            core::Metrics* metrics = nullptr, core::SessionService* sessions = nullptr);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  /// Binds the listening socket (so the port is known before start()).
  void bind();
  void start();
  /// Stops accepting, lets the handlers running finish, closes the rest.
  void stop();
  uint16_t port() const;
  /// The rate limit in force for a route (override, route default, global).
  int rateFor(const Route& route) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::host

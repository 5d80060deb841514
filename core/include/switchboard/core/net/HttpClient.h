#pragma once

#include <switchboard/core/net/RetryPolicy.h>
#include <switchboard/sdk/http.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace sb::core {

class Metrics;
class SessionPool;

/// An outbound request that got no HTTP response (connection refused or
/// reset, DNS failure, timeout, TLS failure). The message says which.
class HttpTransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpClientOptions {
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds requestTimeout{15000};
  /// How many bytes of response body to accept; a larger body is an error.
  size_t maxResponseBytes = size_t{16} * 1024 * 1024;
  /// Verify TLS certificates against the system store (off only for tests).
  bool verifyTls = true;
  /// Kept-alive connections per scheme, host and port (0: a new connection
  /// per request).
  size_t maxIdlePerHost = 8;
  /// An idle connection older than this is closed rather than reused; keep
  /// it below the providers' own idle timeouts.
  std::chrono::milliseconds idleTimeout{30000};
  RetryPolicy retry;
};

/// Outbound HTTP and HTTPS through Poco, used by the sb_host_api http_send
/// service so that timeouts, TLS, limits, kept-alive connections, retries
/// and outbound metrics live in one place for every plugin.
/// THREADING: thread-safe.
class HttpClient {
 public:
  /// `metrics`, when given, receives per-client (plugin) outbound figures:
  /// requests by status class, latency, retries, connections opened.
  explicit HttpClient(HttpClientOptions options = {}, Metrics* metrics = nullptr);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends the request, again where RetryPolicy allows; returns the last
  /// HTTP response. Throws std::invalid_argument for a bad URL or method and
  /// HttpTransportError when no response arrived. `client` labels the
  /// metrics (the plugin's id).
  /// `deadline`, when set, bounds the whole exchange: each attempt's timeout
  /// is cut to what is left, and no retry starts that would end past it.
  sdk::HttpResponse send(const sdk::HttpRequest& request, const std::string& client = "host",
                         std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) const;

  /// Idle kept-alive connections now (tests, diagnostics).
  size_t idleConnections() const;

 private:
  struct Attempt;
  sdk::HttpResponse sendOnce(const sdk::HttpRequest& request, std::chrono::milliseconds timeout,
                             Attempt& attempt) const;
  void observe(const std::string& client, const Attempt& attempt) const;

  HttpClientOptions options_;
  Metrics* metrics_;
  std::unique_ptr<SessionPool> pool_;
};

}  // namespace sb::core

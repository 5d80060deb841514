#pragma once

#include <switchboard/sdk/http.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

namespace sb::core {

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
};

/// Outbound HTTP and HTTPS through Poco, used by the sb_host_api http_send
/// service so that timeouts, TLS and limits live in one place.
/// THREADING: thread-safe; each call uses its own connection.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});

  /// Sends the request; returns any HTTP response. Throws
  /// std::invalid_argument for a bad URL or method and HttpTransportError
  /// when no response arrived.
  sdk::HttpResponse send(const sdk::HttpRequest& request) const;

 private:
  HttpClientOptions options_;
};

}  // namespace sb::core

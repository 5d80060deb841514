#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sb::core {

/// Kept-alive connections to provider hosts, so a request does not pay a
/// TCP and TLS handshake each time. Bounded: at most `maxIdlePerHost` idle
/// connections per scheme, host and port; one idle longer than
/// `idleTimeout`, or that the server has closed meanwhile, is not reused.
/// THREADING: thread-safe; a session is used by one request at a time.
class SessionPool {
 public:
  struct Lease {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    std::string key;
    bool reused = false;
  };

  SessionPool(size_t maxIdlePerHost, std::chrono::milliseconds idleTimeout, Poco::Net::Context::Ptr tls);

  /// A live idle session for the origin, or a new one (not yet connected).
  Lease acquire(const std::string& scheme, const std::string& host, uint16_t port);
  /// Hands back a session whose last exchange ended cleanly and that the
  /// server keeps open; anything else is simply dropped (closed).
  void release(Lease lease);
  size_t idleCount();

 private:
  struct Idle {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    std::chrono::steady_clock::time_point since;
  };
  static bool stillOpen(Poco::Net::HTTPClientSession& session);

  size_t maxIdlePerHost_;
  std::chrono::milliseconds idleTimeout_;
  Poco::Net::Context::Ptr tls_;
  std::mutex mutex_;
  std::map<std::string, std::vector<Idle>> idle_;  ///< by origin, most recently used last
};

}  // namespace sb::core

#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sb::host {

/// Per-key, per-route token buckets: `perMinute` requests a minute, with
/// bursts up to `perMinute`. THREADING: thread-safe.
class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit RateLimiter(Clock clock = [] { return std::chrono::steady_clock::now(); });

  /// Takes one token. Returns 0 when allowed, else the whole seconds to wait
  /// before the next token (at least 1), for Retry-After.
  int acquire(const std::string& key, const std::string& route, int perMinute);
  /// What acquire() would answer, without taking a token (a limit on
  /// failures: checked before the attempt, taken only when it fails).
  int peek(const std::string& key, const std::string& route, int perMinute);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
  };
  /// The bucket refilled to now; the caller holds mutex_.
  Bucket& refill(const std::string& key, const std::string& route, int perMinute);
  static int waitFor(const Bucket& bucket, int perMinute);

  Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace sb::host

#include "http/RateLimiter.h"

#include <algorithm>
#include <cmath>

namespace sb::host {
namespace {
constexpr size_t kMaxBuckets = 100000;
}

RateLimiter::RateLimiter(Clock clock) : clock_(std::move(clock)) {}

RateLimiter::Bucket& RateLimiter::refill(const std::string& key, const std::string& route, int perMinute) {
  const auto now = clock_();
  const double capacity = perMinute;
  const double perSecond = perMinute / 60.0;
  if (buckets_.size() > kMaxBuckets) {
    buckets_.clear();  // bounded memory; a reset only ever lets requests through
  }
  auto [it, inserted] = buckets_.try_emplace(key + '\x1f' + route);
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = capacity;
  } else {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(capacity, bucket.tokens + elapsed * perSecond);
  }
  bucket.updated = now;
  return bucket;
}

int RateLimiter::waitFor(const Bucket& bucket, int perMinute) {
  if (bucket.tokens >= 1.0) {
    return 0;
  }
  const double perSecond = perMinute / 60.0;
  return std::max(1, static_cast<int>(std::ceil((1.0 - bucket.tokens) / perSecond)));
}

int RateLimiter::acquire(const std::string& key, const std::string& route, int perMinute) {
  if (perMinute <= 0) {
    return 0;
  }
  std::lock_guard lock(mutex_);
  Bucket& bucket = refill(key, route, perMinute);
  const int wait = waitFor(bucket, perMinute);
  if (wait == 0) {
    bucket.tokens -= 1.0;
  }
  return wait;
}

int RateLimiter::peek(const std::string& key, const std::string& route, int perMinute) {
  if (perMinute <= 0) {
    return 0;
  }
  std::lock_guard lock(mutex_);
  return waitFor(refill(key, route, perMinute), perMinute);
}

}  // namespace sb::host

#include "http/RateLimiter.h"

#include <catch2/catch.hpp>

using sb::host::RateLimiter;

TEST_CASE("token buckets allow the burst, then refill at the per-minute rate", "[ratelimit]") {
  auto now = std::chrono::steady_clock::now();
  RateLimiter limiter([&] { return now; });
  for (int i = 0; i < 10; ++i) REQUIRE(limiter.acquire("k", "initiate", 10) == 0);
  const int wait = limiter.acquire("k", "initiate", 10);
  CHECK(wait == 6);  // one token every 6 s at 10/min
  CHECK(limiter.acquire("other-key", "initiate", 10) == 0);
  CHECK(limiter.acquire("k", "status", 60) == 0);
  now += std::chrono::seconds(6);
  CHECK(limiter.acquire("k", "initiate", 10) == 0);
  CHECK(limiter.acquire("k", "initiate", 10) > 0);
  CHECK(limiter.acquire("k", "unlimited", 0) == 0);
}

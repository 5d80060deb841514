// Calendar arithmetic without the C library's time zone state: providers
// send UTC timestamps as text, and timegm() is neither standard nor
// thread-safe everywhere.
#pragma once

#include <cstdint>

namespace sb::sdk {

/// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1..12,
/// d 1..31); negative before 1970. Howard Hinnant's days_from_civil.
constexpr int64_t daysFromCivil(int64_t y, int64_t m, int64_t d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static_assert(daysFromCivil(1970, 1, 1) == 0);
static_assert(daysFromCivil(2000, 3, 1) == 11017);

}  // namespace sb::sdk

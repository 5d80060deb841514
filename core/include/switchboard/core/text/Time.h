#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace sb::core {

/// The system clock in Unix milliseconds: every default clock of core.
inline int64_t unixNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Unix seconds formatted in UTC with strftime's `format`
/// ("%Y-%m-%dT%H:%M:%SZ" for ISO 8601).
inline std::string formatUtc(int64_t seconds, const char* format = "%Y-%m-%dT%H:%M:%SZ") {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  // Callers pass literals; the check cannot see through the parameter.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  const size_t size = std::strftime(buffer, sizeof buffer, format, &tm);
#pragma GCC diagnostic pop
  return std::string(buffer, size);
}

}  // namespace sb::core

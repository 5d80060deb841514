#pragma once

// The original load test's task shape (seed requirements 7.5): users on one
// admin key, each picking initiate, status or end at 3:1:1 (status and end
// on one of its own live calls) with some thinking between tasks, through
// the cold-call API. bench/coldcall_load.py is its long form.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sb::test {

struct LoadShape {
  int users = 20;
  std::chrono::milliseconds duration{3000};
  std::chrono::milliseconds thinkMin{50};
  std::chrono::milliseconds thinkMax{150};
  int64_t firstNumber = 2000000;  ///< users dial +1555<firstNumber + user * 10000 + n>
};

struct LoadResult {
  int requests = 0;
  std::vector<std::string> failures;  ///< "STATUS BODY" of each answer that was not 200 or 201
};

/// Runs `shape` against the host at `port` with `adminKey`; returns when
/// every user has stopped.
LoadResult runOriginalShape(uint16_t port, const std::string& adminKey, const LoadShape& shape);

}  // namespace sb::test

#pragma once

#include <switchboard/core/log/Logging.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace sb::core {

/// A warning about a condition that may recur at the rate of an attack
/// (refused webhooks, accept failures, connection caps): logged at most
/// once per interval, with a count of what was left out, so that a flood
/// never becomes a flood of log lines. THREADING: thread-safe.
class ThrottledLog {
 public:
  explicit ThrottledLog(std::string logger, std::chrono::seconds interval = std::chrono::seconds(10))
      : logger_(std::move(logger)), interval_(interval) {}

  template <typename... Args>
  void warn(spdlog::format_string_t<Args...> format, Args&&... args) {
    const auto now = std::chrono::steady_clock::now();
    size_t skipped = 0;
    {
      std::lock_guard lock(mutex_);
      if (logged_ && now - last_ < interval_) {
        ++skipped_;
        return;
      }
      logged_ = true;
      last_ = now;
      skipped = std::exchange(skipped_, 0);
    }
    auto log = logger(logger_);
    log->warn(format, std::forward<Args>(args)...);
    if (skipped > 0) {
      log->warn("({} more like the line above in the last {} s were not logged)", skipped, interval_.count());
    }
  }

 private:
  std::string logger_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  bool logged_ = false;
  std::chrono::steady_clock::time_point last_{};
  size_t skipped_ = 0;
};

}  // namespace sb::core

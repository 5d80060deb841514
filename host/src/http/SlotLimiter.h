#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sb::host {

/// Holders of a scarce resource (upload slots, event streams), bounded in
/// all and per key (a client address, an API key), checked and taken under
/// one lock so that racing requests cannot both pass. THREADING: thread-safe.
class SlotLimiter {
 public:
  enum class Result { Granted, Full, KeyFull };

  SlotLimiter(size_t total, size_t perKey) : total_(total), perKey_(perKey) {}

  /// Takes a slot for `key`; a granted one is given back with release().
  Result acquire(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (used_ >= total_) {
      return Result::Full;
    }
    size_t& mine = held_[key];
    if (mine >= perKey_) {
      return Result::KeyFull;
    }
    ++mine;
    ++used_;
    return Result::Granted;
  }

  void release(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (auto it = held_.find(key); it != held_.end()) {
      --used_;
      if (--it->second == 0) {
        held_.erase(it);
      }
    }
  }

  size_t total() const noexcept { return total_; }
  size_t perKey() const noexcept { return perKey_; }

 private:
  const size_t total_;
  const size_t perKey_;
  std::mutex mutex_;
  size_t used_ = 0;
  std::unordered_map<std::string, size_t> held_;
};

}  // namespace sb::host

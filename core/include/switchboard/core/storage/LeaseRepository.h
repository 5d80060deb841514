#pragma once

#include <cstdint>
#include <string>

namespace sb::core {

/// Named leases in the database: work that one host at a time does for all
/// the hosts that share it (the abandoned-call sweep) is done by the holder
/// of its lease, which renews it while it lives; a lease that lapses (its
/// host died or hung) goes to the next host that asks.
/// THREADING: thread-safe.
class LeaseRepository {
 public:
  virtual ~LeaseRepository() = default;

  /// Takes or renews lease `name` for `holder` until nowMs + ttlMs: true
  /// when `holder` holds it now (it was free, lapsed, or already its own).
  virtual bool acquire(const std::string& name, const std::string& holder, int64_t nowMs, int64_t ttlMs) = 0;
  /// Gives the lease up if `holder` has it, so that another host need not
  /// wait for it to lapse (a clean stop).
  virtual void release(const std::string& name, const std::string& holder) = 0;
};

}  // namespace sb::core

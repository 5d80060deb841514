#pragma once

#include <chrono>

namespace sb::core {

/// Notifications on one channel of a database that several hosts share
/// (PostgreSQL's LISTEN): how a host hears that another host committed.
/// A notification says only that something changed; the listener's owner
/// reads what. THREADING: one thread at a time.
class DatabaseListener {
 public:
  virtual ~DatabaseListener() = default;

  /// Waits up to `timeout` for a notification. True when one or more came,
  /// or when the connection was lost and made again (whatever was notified
  /// meanwhile is lost, so the caller reads again either way). False on
  /// timeout, or while the database cannot be reached.
  virtual bool wait(std::chrono::milliseconds timeout) = 0;
};

}  // namespace sb::core

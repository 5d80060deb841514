#pragma once

#include <switchboard/core/calls/CallEventBus.h>
#include <switchboard/core/calls/CallRepository.h>
#include <switchboard/core/storage/DatabaseListener.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace sb::core {

/// Live events when several hosts share the database: every host's events,
/// read back from the database in sequence order and published on `bus`,
/// so that an event stream open on any host carries every call.
/// A thread of its own reads "events after the last one published" whenever
/// a host's commit notifies (the listener), this host commits (poke()), or
/// a second passes (the safety net for a lost notification). Sequence
/// numbers commit in order (Database::lockCallWriters), so a read never
/// skips an event that commits later.
/// THREADING: poke() from any thread; publishes on the feed's thread.
class ClusterEventFeed {
 public:
  ClusterEventFeed(std::unique_ptr<DatabaseListener> listener, CallRepository& calls, CallEventBus& bus);
  ~ClusterEventFeed();
  ClusterEventFeed(const ClusterEventFeed&) = delete;
  ClusterEventFeed& operator=(const ClusterEventFeed&) = delete;

  /// This host committed events: read them now rather than at the
  /// notification's round trip.
  void poke();

  /// Events read per query.
  static constexpr int64_t kBatch = 500;

 private:
  void listen();
  void publishNew();

  std::unique_ptr<DatabaseListener> listener_;
  CallRepository& calls_;
  CallEventBus& bus_;
  int64_t lastSeq_ = 0;  ///< the feed thread's own
  std::mutex mutex_;
  std::condition_variable wake_;
  bool poked_ = false;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  std::thread listenerThread_;
};

}  // namespace sb::core

#pragma once

#include <switchboard/core/calls/CallJournal.h>

#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace sb::core {

/// Tells subscribers of every committed call event, in commit order, on the
/// journal's thread (each listener must be short: every writer waits on
/// that thread).
/// THREADING: thread-safe.
class CallEventBus {
 public:
  using Listener = std::function<void(const std::vector<CommittedEvent>&)>;

  /// Returns an id for unsubscribe().
  int subscribe(Listener listener);
  void unsubscribe(int id);
  void publish(const std::vector<CommittedEvent>& events);

 private:
  std::mutex mutex_;
  std::map<int, Listener> listeners_;
  int next_ = 1;
};

}  // namespace sb::core

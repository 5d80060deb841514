#include <switchboard/core/calls/ClusterEventFeed.h>

#include <switchboard/core/log/Logging.h>

#include <pthread.h>

namespace sb::core {
namespace {

/// How long the listener waits at a time: also how soon it sees stop().
constexpr std::chrono::milliseconds kListenSlice{250};
/// The reader reads at least this often, notified or not.
constexpr std::chrono::seconds kSafetyNet{1};

}  // namespace

ClusterEventFeed::ClusterEventFeed(std::unique_ptr<DatabaseListener> listener, CallRepository& calls, CallEventBus& bus)
    : listener_(std::move(listener)), calls_(calls), bus_(bus), lastSeq_(calls.lastEventSeq()) {
  reader_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "sb-event-feed");
    std::unique_lock lock(mutex_);
    while (!stop_) {
      wake_.wait_for(lock, kSafetyNet, [this] { return poked_ || stop_; });
      poked_ = false;
      lock.unlock();
      publishNew();
      lock.lock();
    }
  });
  // Its own thread: a notification must wake the reader even while it is
  // busy reading, and the reader must not wait on the network.
  listenerThread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "sb-event-listen");
    listen();
  });
}

ClusterEventFeed::~ClusterEventFeed() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  listenerThread_.join();
  reader_.join();
}

void ClusterEventFeed::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_one();
}

void ClusterEventFeed::listen() {
  while (!stop_) {
    if (listener_->wait(kListenSlice)) {
      poke();
    }
  }
}

void ClusterEventFeed::publishNew() {
  try {
    for (;;) {
      auto rows = calls_.eventsAfter(lastSeq_, kBatch);
      if (rows.empty()) return;
      std::vector<CommittedEvent> events;
      events.reserve(rows.size());
      for (auto& [event, call] : rows) {
        CommittedEvent committed;
        committed.event = std::move(event);
        committed.call = std::move(call);
        events.push_back(std::move(committed));
      }
      lastSeq_ = events.back().event.seq;
      bus_.publish(events);
      if (static_cast<int64_t>(events.size()) < kBatch) return;
    }
  } catch (const std::exception& e) {
    // The database is away: the next wake (at most kSafetyNet) tries again
    // from the same place, so nothing is skipped.
    logger("events")->warn("live events: cannot read new events after {}: {}", lastSeq_, e.what());
  }
}

}  // namespace sb::core

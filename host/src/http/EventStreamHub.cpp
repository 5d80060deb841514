#include "http/EventStreamHub.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/sdk/json.hpp>

#include <list>
#include <mutex>

namespace sb::host {

/// What the hub and its streams share; a stream holds it too, so that a
/// connection that outlives the hub still finds the lock it needs.
struct EventStreamHub::Shared {
  Shared(size_t maxClients, size_t maxPerKey) : slots(maxClients, maxPerKey) {}
  mutable std::mutex mutex;
  std::list<std::shared_ptr<Client>> clients;
  SlotLimiter slots;  ///< streams reserved or open
  bool stopped = false;
};

class EventStreamHub::Client final : public ResponseStream {
 public:
  Client(std::shared_ptr<Shared> shared, std::string key, std::string agent, const EventStreamOptions& options)
      : shared_(std::move(shared)), key_(std::move(key)), agent_(std::move(agent)), options_(options) {}

  void bind(std::function<void()> wake) override {
    std::lock_guard lock(shared_->mutex);
    wake_ = std::move(wake);
  }

  bool take(std::string& out) override {
    std::lock_guard lock(shared_->mutex);
    out += pending_;
    pending_.clear();
    return !ended_;
  }

  void closed() override {
    std::shared_ptr<Client> self;  // released outside the lock
    std::lock_guard lock(shared_->mutex);
    ended_ = true;
    wake_ = nullptr;
    for (auto it = shared_->clients.begin(); it != shared_->clients.end(); ++it) {
      if (it->get() == this) {
        self = std::move(*it);
        shared_->clients.erase(it);
        break;
      }
    }
    if (!released_) {
      released_ = true;
      shared_->slots.release(key_);
    }
  }

  std::chrono::milliseconds heartbeat() const override { return options_.heartbeat; }
  std::chrono::milliseconds batchWindow() const override { return options_.batchWindow; }

  // Under shared_->mutex:
  bool wants(const core::CommittedEvent& event) const { return agent_.empty() || agent_ == event.call.agentId; }
  void push(int64_t seq, const std::string& text) {
    if (ended_) {
      return;
    }
    if (replaying_) {
      held_.emplace_back(seq, text);
      return;
    }
    if (seq <= lastSeq_) {
      return;  // already sent by the replay
    }
    lastSeq_ = seq;
    pending_ += text;
    if (pending_.size() > options_.maxBufferedBytes) {
      core::logger("http")->warn(
          "event stream of '{}' fell {} bytes behind; disconnected (it resumes with "
          "Last-Event-ID)",
          key_, pending_.size());
      pending_.clear();
      ended_ = true;
    }
    wakeLocked();
  }
  void endLocked() {
    ended_ = true;
    wakeLocked();
  }
  void finishReplay(std::string replay, int64_t replayedUpTo) {
    pending_ += replay;
    lastSeq_ = std::max(lastSeq_, replayedUpTo);
    replaying_ = false;
    for (auto& [seq, text] : held_) {
      if (seq > lastSeq_) {
        pending_ += text;
        lastSeq_ = seq;
      }
    }
    held_.clear();
  }
  void startAfter(int64_t seq) { lastSeq_ = seq; }
  void greet(std::string text) { pending_ = std::move(text); }

 private:
  void wakeLocked() {
    if (wake_) {
      wake_();  // posts to the connection's I/O thread; never blocks
    }
  }

  std::shared_ptr<Shared> shared_;
  const std::string key_;
  const std::string agent_;
  const EventStreamOptions options_;
  std::function<void()> wake_;
  std::string pending_;
  int64_t lastSeq_ = 0;
  bool replaying_ = true;
  std::vector<std::pair<int64_t, std::string>> held_;  ///< live frames that came during the replay
  bool ended_ = false;
  bool released_ = false;
};

EventStreamHub::EventStreamHub(core::CallEventBus& bus, core::CallQueries& queries, EventStreamOptions options)
    : bus_(bus),
      queries_(queries),
      options_(options),
      shared_(std::make_shared<Shared>(options.maxClients, options.maxClientsPerKey)) {
  subscription_ = bus_.subscribe([this](const std::vector<core::CommittedEvent>& events) { onEvents(events); });
}

EventStreamHub::~EventStreamHub() {
  stop();
}

SlotLimiter::Result EventStreamHub::reserve(const std::string& key) {
  return shared_->slots.acquire(key);
}

void EventStreamHub::cancel(const std::string& key) {
  shared_->slots.release(key);
}

size_t EventStreamHub::clientCount() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->clients.size();
}

void EventStreamHub::stop() {
  if (subscription_ != 0) {
    bus_.unsubscribe(subscription_);
    subscription_ = 0;
  }
  std::list<std::shared_ptr<Client>> ending;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopped = true;
    for (auto& client : shared_->clients) {
      client->endLocked();
    }
    // The connections still hold their streams and close them; the list
    // must not keep them (a stream holds `shared_`, which holds the list).
    ending.swap(shared_->clients);
  }
}

std::string EventStreamHub::frame(const core::CommittedEvent& event) {
  const nlohmann::json data = {
      {"seq", event.event.seq}, {"event", event.event.toJson(event.call)}, {"call", event.call.toJson()}};
  return "id: " + std::to_string(event.event.seq) + "\nevent: call\ndata: " + sdk::json::dump(data) + "\n\n";
}

std::shared_ptr<ResponseStream> EventStreamHub::open(const std::string& key, const std::string& agentFilter,
                                                     int64_t lastEventId) {
  auto client = std::make_shared<Client>(shared_, key, agentFilter, options_);
  client->greet("retry: 2000\n: connected\n\n");
  client->startAfter(lastEventId > 0 ? lastEventId : 0);
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->stopped) {
      client->endLocked();
    }
    shared_->clients.push_back(client);
  }
  // Replay outside the lock (it reads the database); live frames meanwhile
  // wait in the client's `held`.
  std::string replay;
  int64_t replayed = lastEventId > 0 ? lastEventId : 0;
  if (lastEventId > 0) {
    const auto events = queries_.eventsAfter(lastEventId, options_.replayLimit);
    for (const auto& [event, call] : events) {
      if (agentFilter.empty() || call.agentId == agentFilter) {
        replay += frame({event, call, false, {}});
      }
      replayed = event.seq;
    }
    if (static_cast<int64_t>(events.size()) >= options_.replayLimit) {
      // More was missed than we replay: tell the client to reload its state.
      replay += "event: reset\ndata: {\"reason\":\"too many events missed\"}\n\n";
    }
  }
  {
    std::lock_guard lock(shared_->mutex);
    client->finishReplay(std::move(replay), replayed);
  }
  return client;
}

void EventStreamHub::onEvents(const std::vector<core::CommittedEvent>& events) {
  std::lock_guard lock(shared_->mutex);
  if (shared_->clients.empty()) {
    return;
  }
  for (const auto& event : events) {
    std::string text;  // made once, for the first stream that wants it
    for (auto& client : shared_->clients) {
      if (!client->wants(event)) {
        continue;
      }
      if (text.empty()) {
        text = frame(event);
      }
      client->push(event.event.seq, text);
    }
  }
}

}  // namespace sb::host

#pragma once

#include "http/SlotLimiter.h"

#include <switchboard/core/calls/CallService.h>

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::host {

struct EventStreamOptions {
  std::chrono::milliseconds heartbeat{15000};
  size_t maxClients = 256;
  /// Streams one API key may hold, so that one key cannot lock every other
  /// agent out of live events.
  size_t maxClientsPerKey = 32;
  /// A client that falls this far behind (bytes not yet accepted by its
  /// socket) is cut off; it reconnects and resumes with Last-Event-ID.
  size_t maxBufferedBytes = size_t{1} << 20;
  int64_t replayLimit = 1000;
};

/// Server-Sent Events for call events (GET /api/v1/events). Each client's
/// socket is taken from the HTTP server once the request is authenticated,
/// so a stream never pins one of the server's request threads
/// (architecture.md): one hub thread writes to every client without
/// blocking, sends heartbeats and drops clients that left.
/// THREADING: thread-safe.
class EventStreamHub {
 public:
  EventStreamHub(core::CallService& calls, EventStreamOptions options);
  ~EventStreamHub();
  EventStreamHub(const EventStreamHub&) = delete;
  EventStreamHub& operator=(const EventStreamHub&) = delete;

  /// Reserves a stream for `key` against both limits at once; a granted
  /// reservation is used by attach() or given back by cancel().
  SlotLimiter::Result reserve(const std::string& key) { return slots_.acquire(key); }
  void cancel(const std::string& key) { slots_.release(key); }
  size_t clientCount() const;

  /// Takes over an accepted request's socket (reserved for `key`): writes
  /// the response head, replays events after `lastEventId` (when > 0), then
  /// streams events of calls of `agentFilter` (all when empty).
  void attach(Poco::Net::StreamSocket socket, const std::string& key, const std::string& agentFilter,
              int64_t lastEventId, const std::string& requestId);

  void stop();

 private:
  struct Client {
    Poco::Net::StreamSocket socket;
    std::string key;
    std::string agent;
    std::string pending;
    int64_t lastSeq = 0;
    bool replaying = true;
    std::vector<std::pair<int64_t, std::string>> held;  ///< live frames that came during the replay
    std::chrono::steady_clock::time_point lastWrite;
  };

  static std::string frame(const core::CommittedEvent& event);
  void onEvents(const std::vector<core::CommittedEvent>& events);
  void loop();
  /// Writes what the socket takes now; false when the client is gone.
  bool flush(Client& client);

  core::CallService& calls_;
  EventStreamOptions options_;
  int subscription_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::list<std::shared_ptr<Client>> clients_;
  SlotLimiter slots_;  ///< streams reserved or attached
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::host

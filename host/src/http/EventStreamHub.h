#pragma once

#include "http/ResponseStream.h"
#include "http/SlotLimiter.h"

#include <switchboard/core/calls/CallEventBus.h>
#include <switchboard/core/calls/CallQueries.h>

#include <chrono>
#include <memory>
#include <string>

namespace sb::host {

struct EventStreamOptions {
  std::chrono::milliseconds heartbeat{15000};
  /// Frames that come within this long of a stream's last write share its
  /// next write (sse.batch_ms).
  std::chrono::milliseconds batchWindow{100};
  size_t maxClients = 256;
  /// Streams one API key may hold, so that one key cannot lock every other
  /// agent out of live events.
  size_t maxClientsPerKey = 32;
  /// A client that falls this far behind (bytes not yet written to its
  /// socket) is cut off; it reconnects and resumes with Last-Event-ID.
  size_t maxBufferedBytes = size_t{1} << 20;
  int64_t replayLimit = 1000;
};

/// Server-Sent Events for call events (GET /api/v1/events). Each stream is
/// a ResponseStream that its HTTP connection serves on the server's own I/O
/// loop (architecture.md: one HTTP loop): the hub only queues each new
/// event's frame for the streams that may see it and wakes their
/// connections. No thread of its own, no polling.
/// THREADING: thread-safe.
class EventStreamHub {
 public:
  EventStreamHub(core::CallEventBus& bus, core::CallQueries& queries, EventStreamOptions options);
  ~EventStreamHub();
  EventStreamHub(const EventStreamHub&) = delete;
  EventStreamHub& operator=(const EventStreamHub&) = delete;

  /// Reserves a stream for `key` against both limits at once; a granted
  /// reservation is used by open() or given back by cancel().
  SlotLimiter::Result reserve(const std::string& key);
  void cancel(const std::string& key);
  size_t clientCount() const;

  /// Worker thread: the stream reserved for `key`. Replays the events after
  /// `lastEventId` (when > 0; read now), then carries live events of calls
  /// of `agentFilter` (all when empty).
  std::shared_ptr<ResponseStream> open(const std::string& key, const std::string& agentFilter, int64_t lastEventId);

  /// Ends every stream (their connections close) and takes no more events.
  void stop();

 private:
  struct Shared;
  class Client;

  static std::string frame(const core::CommittedEvent& event);
  void onEvents(const std::vector<core::CommittedEvent>& events);

  core::CallEventBus& bus_;
  core::CallQueries& queries_;
  EventStreamOptions options_;
  int subscription_ = 0;
  std::shared_ptr<Shared> shared_;
};

}  // namespace sb::host

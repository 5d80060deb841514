#include "http/EventStreamHub.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/sdk/json.hpp>

#include <pthread.h>
#include <sys/socket.h>

#include <cerrno>

namespace sb::host {

EventStreamHub::EventStreamHub(core::CallService& calls, EventStreamOptions options)
    : calls_(calls), options_(options), slots_(options.maxClients, options.maxClientsPerKey) {
  subscription_ = calls_.subscribe([this](const std::vector<core::CommittedEvent>& events) { onEvents(events); });
  thread_ = std::thread([this] { loop(); });
}

EventStreamHub::~EventStreamHub() {
  stop();
}

void EventStreamHub::stop() {
  if (subscription_ != 0) {
    calls_.unsubscribe(subscription_);
    subscription_ = 0;
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  std::lock_guard lock(mutex_);
  for (auto& client : clients_) {
    try {
      client->socket.close();
    } catch (const std::exception&) {
      // already gone
    }
  }
  clients_.clear();
}

size_t EventStreamHub::clientCount() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

std::string EventStreamHub::frame(const core::CommittedEvent& event) {
  const nlohmann::json data = {
      {"seq", event.event.seq}, {"event", event.event.toJson(event.call)}, {"call", event.call.toJson()}};
  return "id: " + std::to_string(event.event.seq) + "\nevent: call\ndata: " + sdk::json::dump(data) + "\n\n";
}

void EventStreamHub::attach(Poco::Net::StreamSocket socket, const std::string& key, const std::string& agentFilter,
                            int64_t lastEventId, const std::string& requestId) {
  auto client = std::make_shared<Client>();
  client->socket = socket;
  client->key = key;
  client->agent = agentFilter;
  client->lastSeq = lastEventId > 0 ? lastEventId : 0;
  client->lastWrite = std::chrono::steady_clock::now();
  client->pending =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n"
      "X-Accel-Buffering: no\r\nX-Content-Type-Options: nosniff\r\nX-Request-Id: " +
      requestId + "\r\n\r\nretry: 2000\n: connected\n\n";
  {
    std::lock_guard lock(mutex_);
    clients_.push_back(client);
  }
  // Replay outside the lock; live frames meanwhile wait in `held`.
  std::string replay;
  int64_t replayed = client->lastSeq;
  if (lastEventId > 0) {
    const auto events = calls_.eventsAfter(lastEventId, options_.replayLimit);
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
    std::lock_guard lock(mutex_);
    client->pending += replay;
    client->lastSeq = replayed;
    for (auto& [seq, text] : client->held) {
      if (seq > client->lastSeq) {
        client->pending += text;
        client->lastSeq = seq;
      }
    }
    client->held.clear();
    client->replaying = false;
  }
  wake_.notify_one();
}

void EventStreamHub::onEvents(const std::vector<core::CommittedEvent>& events) {
  std::lock_guard lock(mutex_);
  if (clients_.empty()) {
    return;
  }
  for (const auto& event : events) {
    std::string text;
    for (auto& client : clients_) {
      if (!client->agent.empty() && client->agent != event.call.agentId) {
        continue;
      }
      if (text.empty()) {
        text = frame(event);
      }
      if (client->replaying) {
        client->held.emplace_back(event.event.seq, text);
      } else if (event.event.seq > client->lastSeq) {
        client->pending += text;
        client->lastSeq = event.event.seq;
      }
    }
  }
  wake_.notify_one();
}

bool EventStreamHub::flush(Client& client) {
  const int fd = client.socket.impl()->sockfd();
  while (!client.pending.empty()) {
    const ssize_t sent = ::send(fd, client.pending.data(), client.pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) {
      client.pending.erase(0, static_cast<size_t>(sent));
      client.lastWrite = std::chrono::steady_clock::now();
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      break;
    }
    return false;
  }
  if (client.pending.size() > options_.maxBufferedBytes) {
    core::logger("http")->warn("event stream client fell {} bytes behind; disconnected", client.pending.size());
    return false;
  }
  // A readable socket with nothing to read is a closed one (SSE clients
  // send nothing after the request).
  char probe = 0;
  const ssize_t got = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    return false;
  }
  return true;
}

void EventStreamHub::loop() {
  pthread_setname_np(pthread_self(), "sb-events");
  const auto tick = std::min<std::chrono::milliseconds>(options_.heartbeat, std::chrono::milliseconds(250));
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, tick);
    const auto now = std::chrono::steady_clock::now();
    for (auto it = clients_.begin(); it != clients_.end();) {
      Client& client = **it;
      if (client.pending.empty() && now - client.lastWrite >= options_.heartbeat) {
        client.pending += ": heartbeat\n\n";
      }
      if (!flush(client)) {
        try {
          client.socket.close();
        } catch (const std::exception&) {
          // already closed
        }
        slots_.release(client.key);
        it = clients_.erase(it);
      } else {
        ++it;
      }
    }
  }
}

}  // namespace sb::host

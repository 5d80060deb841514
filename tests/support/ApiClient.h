#pragma once

#include "support/HttpCall.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::test {

struct ApiReply {
  int status = 0;
  nlohmann::json json;  ///< the body parsed, or null when it is not JSON
  std::string body;
  sdk::HttpResponse raw;
  std::string header(const std::string& name) const { return raw.header(name).value_or(""); }
};

/// JSON requests to a host on 127.0.0.1 with one API key.
class ApiClient {
 public:
  ApiClient(uint16_t port, std::string key) : port_(port), key_(std::move(key)) {}
  ApiReply get(const std::string& target) const { return send("GET", target, nullptr); }
  ApiReply post(const std::string& target, const nlohmann::json& body) const { return send("POST", target, body); }
  ApiReply patch(const std::string& target, const nlohmann::json& body) const { return send("PATCH", target, body); }
  ApiReply send(const std::string& method, const std::string& target, const nlohmann::json& body,
                const sdk::Headers& extra = {}) const;
  /// A raw body with its content type (CSV uploads).
  ApiReply sendRaw(const std::string& method, const std::string& target, const std::string& body,
                   const std::string& contentType) const;

 private:
  uint16_t port_;
  std::string key_;
};

/// Polls `probe` every 10 ms until it returns true or `timeout` passes.
bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A client of GET /api/v1/events: reads frames on its own thread.
class EventStreamClient {
 public:
  struct Frame {
    std::string id;
    std::string event;
    nlohmann::json data;
  };
  /// `query` is appended to /api/v1/events; `lastEventId` sent as the
  /// Last-Event-ID header when not empty.
  EventStreamClient(uint16_t port, const std::string& key, const std::string& query = "",
                    const std::string& lastEventId = "");
  ~EventStreamClient();
  EventStreamClient(const EventStreamClient&) = delete;
  EventStreamClient& operator=(const EventStreamClient&) = delete;

  int status() const;
  std::vector<Frame> frames() const;
  size_t heartbeats() const;
  /// Waits for a frame whose event type (data.event.type) is `type` for call `callId`.
  bool waitFor(const std::string& callId, const std::string& type,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  void close();

 private:
  void run();
  int fd_ = -1;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  int status_ = 0;
  std::vector<Frame> frames_;
  size_t heartbeats_ = 0;
  bool closed_ = false;
  std::thread thread_;
};

}  // namespace sb::test

#include "support/ApiClient.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace sb::test {
namespace {

ApiReply replyFrom(sdk::HttpResponse raw) {
  ApiReply reply;
  reply.raw = std::move(raw);
  reply.status = reply.raw.status;
  reply.body = reply.raw.body;
  reply.json = nlohmann::json::parse(reply.body, nullptr, false);
  if (reply.json.is_discarded()) {
    reply.json = nullptr;
  }
  return reply;
}

}  // namespace

ApiReply ApiClient::send(const std::string& method, const std::string& target, const nlohmann::json& body,
                         const sdk::Headers& extra) const {
  sdk::Headers headers = {{"X-API-Key", key_}};
  std::string text;
  if (!body.is_null()) {
    text = body.dump();
    headers.emplace_back("Content-Type", "application/json");
  }
  headers.insert(headers.end(), extra.begin(), extra.end());
  return replyFrom(httpCall(port_, method, target, headers, text));
}

ApiReply ApiClient::sendRaw(const std::string& method, const std::string& target, const std::string& body,
                            const std::string& contentType) const {
  return replyFrom(httpCall(port_, method, target, {{"X-API-Key", key_}, {"Content-Type", contentType}}, body));
}

bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return probe();
}

EventStreamClient::EventStreamClient(uint16_t port, const std::string& key, const std::string& query,
                                     const std::string& lastEventId) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot connect to the event stream");
  }
  std::string request = "GET /api/v1/events" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + key +
                        "\r\nAccept: text/event-stream\r\n";
  if (!lastEventId.empty()) {
    request += "Last-Event-ID: " + lastEventId + "\r\n";
  }
  request += "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    throw std::runtime_error("cannot send the event stream request");
  }
  thread_ = std::thread([this] { run(); });
}

EventStreamClient::~EventStreamClient() {
  close();
}

void EventStreamClient::close() {
  if (fd_ >= 0) {
    ::shutdown(fd_, SHUT_RDWR);
  }
  if (thread_.joinable()) {
    thread_.join();
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void EventStreamClient::run() {
  std::string buffer;
  bool headDone = false;
  char chunk[4096];
  for (;;) {
    const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) break;
    buffer.append(chunk, static_cast<size_t>(got));
    if (!headDone) {
      const auto end = buffer.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      std::lock_guard lock(mutex_);
      status_ = std::stoi(buffer.substr(9, 3));
      buffer.erase(0, end + 4);
      headDone = true;
      changed_.notify_all();
    }
    size_t blockEnd = 0;
    while ((blockEnd = buffer.find("\n\n")) != std::string::npos) {
      const std::string block = buffer.substr(0, blockEnd);
      buffer.erase(0, blockEnd + 2);
      Frame frame;
      bool comment = false;
      size_t start = 0;
      while (start <= block.size()) {
        size_t lineEnd = block.find('\n', start);
        if (lineEnd == std::string::npos) lineEnd = block.size();
        const std::string line = block.substr(start, lineEnd - start);
        start = lineEnd + 1;
        if (line.rfind(": heartbeat", 0) == 0) comment = true;
        if (line.rfind("id: ", 0) == 0) frame.id = line.substr(4);
        if (line.rfind("event: ", 0) == 0) frame.event = line.substr(7);
        if (line.rfind("data: ", 0) == 0) frame.data = nlohmann::json::parse(line.substr(6), nullptr, false);
      }
      std::lock_guard lock(mutex_);
      if (comment) {
        ++heartbeats_;
      } else if (!frame.event.empty()) {
        frames_.push_back(frame);
      }
      changed_.notify_all();
    }
  }
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

int EventStreamClient::status() const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::seconds(5), [this] { return status_ != 0 || closed_; });
  return status_;
}

std::vector<EventStreamClient::Frame> EventStreamClient::frames() const {
  std::lock_guard lock(mutex_);
  return frames_;
}

size_t EventStreamClient::heartbeats() const {
  std::lock_guard lock(mutex_);
  return heartbeats_;
}

bool EventStreamClient::waitFor(const std::string& callId, const std::string& type,
                                std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    for (const auto& frame : frames_) {
      if (frame.data.is_object() && frame.data["event"]["type"] == type && frame.data["call"]["id"] == callId) {
        return true;
      }
    }
    return closed_ && false;
  });
}

}  // namespace sb::test

#pragma once

#include <switchboard/sdk/http.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace Poco::Net {
class HTTPServer;
}

namespace sb::test {

/// A local HTTP server on 127.0.0.1:0 that records every request and
/// answers with a fixed status, standing in for the host's webhook endpoint
/// or an upstream API.
class CaptureServer {
 public:
  using Responder = std::function<sdk::HttpResponse(const sdk::HttpRequest&)>;

  /// `keepAlive`: how long the server keeps an idle connection open.
  explicit CaptureServer(int replyStatus = 200, std::chrono::milliseconds keepAlive = std::chrono::seconds(10));
  /// Answers each request with what `responder` returns (it may be set
  /// later, before the first request; until then the fixed status).
  void setResponder(Responder responder);
  ~CaptureServer();

  uint16_t port() const noexcept { return port_; }
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// Waits until at least `count` requests arrived; returns them all.
  std::vector<sdk::HttpRequest> waitFor(size_t count, std::chrono::milliseconds timeout);
  std::vector<sdk::HttpRequest> requests();

  void record(sdk::HttpRequest request);
  /// The reply to a request: the responder's, else the fixed status.
  sdk::HttpResponse reply(const sdk::HttpRequest& request);
  int replyStatus() const noexcept { return replyStatus_; }

 private:
  int replyStatus_;
  Responder responder_;
  uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<sdk::HttpRequest> requests_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace sb::test

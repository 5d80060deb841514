#pragma once

// What the local fakes of real providers share: an HTTP server on
// 127.0.0.1:0 whose handler threads are waited for at destruction (Poco's
// server returns before they do, and they use the fake), a scheduler thread
// for timed call progress and webhook deliveries, and injected faults.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace Poco::Net {
class HTTPServer;
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace sb::test {

/// A fault the next matching requests get instead of (or besides) an answer.
struct FakeFault {
  enum class Kind {
    Status,      ///< an error status, the request not carried out
    RateLimit,   ///< 429 with a retry hint, not carried out
    Slow,        ///< carried out, but answered `delayMs` late (the client times out)
    Reset,       ///< the connection dropped unanswered, not carried out
    FailAfter,   ///< carried out, then answered with the error `status` (the answer lies)
    ResetAfter,  ///< carried out, then the connection dropped unanswered
  };
  Kind kind = Kind::Status;
  std::string method;  ///< "" = any
  /// "" = any; a trailing '$' anchors it at the path's end ("/v2/calls$" is
  /// Telnyx's dial, not a hang-up under /v2/calls/{id}/actions/, which the
  /// host may send at any moment after a call ends).
  std::string pathContains;
  int status = 500;
  int retryAfterS = 1;
  int delayMs = 0;
  int times = 1;
};

class FakeProviderServer {
 public:
  using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;
  /// `onTaskError` hears of a scheduled task that threw.
  FakeProviderServer(Handler handler, std::function<void(const std::string&)> onTaskError);
  /// Stops serving and scheduling, and waits for running handlers.
  ~FakeProviderServer();
  FakeProviderServer(const FakeProviderServer&) = delete;
  FakeProviderServer& operator=(const FakeProviderServer&) = delete;

  uint16_t port() const noexcept { return port_; }

  /// Runs `task` on the scheduler thread after `delay` (tasks due at the
  /// same time run in the order they were scheduled).
  void after(std::chrono::milliseconds delay, std::function<void()> task);
  /// Waits `delay`, or less when the fake is shutting down.
  void sleepUnlessStopping(std::chrono::milliseconds delay);

  void inject(const FakeFault& fault);
  /// The first injected fault matching the request, used up once.
  std::optional<FakeFault> takeFault(const std::string& method, const std::string& path);
  /// Drops the request's connection without an answer.
  static void reset(Poco::Net::HTTPServerRequest& request);

  /// Polls `test` every 10 ms until it holds or `timeout` passes.
  static bool waitUntil(const std::function<bool()>& test, std::chrono::milliseconds timeout);

 private:
  void runScheduler();

  Handler handler_;
  std::function<void(const std::string&)> onTaskError_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> tasks_;
  std::vector<FakeFault> faults_;
  bool stopping_ = false;
  std::atomic<int> inFlight_{0};
  std::thread scheduler_;
  uint16_t port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace sb::test

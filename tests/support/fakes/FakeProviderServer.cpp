#include "support/fakes/FakeProviderServer.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <string_view>

namespace sb::test {
namespace {

class CountedHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  CountedHandler(const FakeProviderServer::Handler& handler, std::atomic<int>& inFlight)
      : handler_(handler), inFlight_(inFlight) {
    ++inFlight_;  // counted from creation, before Poco runs it
  }
  ~CountedHandler() override { --inFlight_; }
  CountedHandler(const CountedHandler&) = delete;
  CountedHandler& operator=(const CountedHandler&) = delete;
  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    handler_(in, out);
  }

 private:
  const FakeProviderServer::Handler& handler_;
  std::atomic<int>& inFlight_;
};

class FakeHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  FakeHandlerFactory(const FakeProviderServer::Handler& handler, std::atomic<int>& inFlight)
      : handler_(handler), inFlight_(inFlight) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new CountedHandler(handler_, inFlight_);
  }

 private:
  const FakeProviderServer::Handler& handler_;
  std::atomic<int>& inFlight_;
};

}  // namespace

FakeProviderServer::FakeProviderServer(Handler handler, std::function<void(const std::string&)> onTaskError)
    : handler_(std::move(handler)), onTaskError_(std::move(onTaskError)) {
  scheduler_ = std::thread([this] { runScheduler(); });
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(8);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new FakeHandlerFactory(handler_, inFlight_), socket, params);
  server_->start();
}

FakeProviderServer::~FakeProviderServer() {
  server_->stopAll(true);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  scheduler_.join();
  while (inFlight_.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void FakeProviderServer::after(std::chrono::milliseconds delay, std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.emplace(std::chrono::steady_clock::now() + delay, std::move(task));
  }
  wake_.notify_all();
}

void FakeProviderServer::sleepUnlessStopping(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void FakeProviderServer::runScheduler() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (tasks_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto due = tasks_.begin()->first;
    if (std::chrono::steady_clock::now() < due) {
      wake_.wait_until(lock, due);
      continue;
    }
    auto task = std::move(tasks_.begin()->second);
    tasks_.erase(tasks_.begin());
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      onTaskError_(std::string("a scheduled task failed: ") + e.what());
    }
    lock.lock();
  }
}

void FakeProviderServer::inject(const FakeFault& fault) {
  std::lock_guard lock(mutex_);
  faults_.push_back(fault);
}

namespace {

bool pathMatches(const std::string& path, const std::string& pattern) {
  if (!pattern.empty() && pattern.back() == '$') {
    const std::string_view stem(pattern.data(), pattern.size() - 1);
    return path.size() >= stem.size() && std::string_view(path).substr(path.size() - stem.size()) == stem;
  }
  return path.find(pattern) != std::string::npos;
}

}  // namespace

std::optional<FakeFault> FakeProviderServer::takeFault(const std::string& method, const std::string& path) {
  std::lock_guard lock(mutex_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if ((it->method.empty() || it->method == method) && pathMatches(path, it->pathContains)) {
      FakeFault fault = *it;
      if (--it->times <= 0) faults_.erase(it);
      return fault;
    }
  }
  return std::nullopt;
}

void FakeProviderServer::reset(Poco::Net::HTTPServerRequest& request) {
  static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().shutdown();
}

bool FakeProviderServer::waitUntil(const std::function<bool()>& test, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (test()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return test();
}

}  // namespace sb::test

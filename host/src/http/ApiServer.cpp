#include "http/ApiServer.h"

#include "http/HttpConnection.h"
#include "http/RequestPipeline.h"
#include "http/WorkerPool.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/log/ThrottledLog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <future>
#include <thread>
#include <utility>
#include <vector>

#include <pthread.h>
#include <sys/resource.h>

namespace sb::host {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct ApiServer::Impl {
  Impl(std::shared_ptr<const Router> router, ServerOptions options, core::ApiKeyService& apiKeys,
       core::Metrics* metrics, core::SessionService* sessions)
      : pipeline(std::move(router), options, apiKeys, metrics, sessions),
        workers("sb-http-work", static_cast<size_t>(std::max(1, options.maxThreads)),
                static_cast<size_t>(std::max(0, options.maxQueued))),
        registry(std::make_shared<ConnectionRegistry>()) {
    registry->maxConnections = connectionBudget(static_cast<size_t>(std::max(1, options.maxConnections)));
    registry->maxConnectionsPerClient = static_cast<size_t>(std::max(1, options.maxConnectionsPerClient));
    registry->idleTimeout = std::chrono::seconds(std::max(1, options.keepAliveTimeoutS));
    registry->ioTimeout = std::chrono::seconds(std::max(1, options.ioTimeoutS));
    registry->uploads = std::make_unique<SlotLimiter>(static_cast<size_t>(std::max(1, options.maxUploads)),
                                                      static_cast<size_t>(std::max(1, options.maxUploadsPerClient)));
    registry->bodyMinBytesPerSecond = static_cast<size_t>(std::max(1, options.bodyMinBytesPerSecond));
    registry->bodyGrace = std::chrono::seconds(std::max(1, options.bodyGraceS));
    const int count = std::max(1, options.ioThreads);
    for (int i = 0; i < count; ++i) {
      contexts.push_back(std::make_shared<asio::io_context>(1));
    }
    acceptPause = std::make_unique<asio::steady_timer>(*contexts.front());
  }

  /// http.max_connections as far as the open-file limit allows: the soft
  /// limit is raised to the hard one, and a budget beyond what is left for
  /// the database, logs, plugins and outbound requests is lowered (with a
  /// line saying so) instead of meeting EMFILE under load.
  size_t connectionBudget(size_t wanted) {
    constexpr rlim_t kReserve = 128;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
      return wanted;
    }
    if (limit.rlim_cur < limit.rlim_max) {
      rlimit raised = limit;
      raised.rlim_cur = limit.rlim_max;
      if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
        limit = raised;
      }
    }
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > wanted + kReserve) {
      return wanted;
    }
    const size_t budget = limit.rlim_cur > 2 * kReserve ? static_cast<size_t>(limit.rlim_cur - kReserve)
                                                        : static_cast<size_t>(limit.rlim_cur / 2);
    log->warn(
        "http.max_connections {} lowered to {}: the open-file limit is {} (raise it with LimitNOFILE= or "
        "ulimit -n)",
        wanted, budget, static_cast<uint64_t>(limit.rlim_cur));
    return std::max<size_t>(1, budget);
  }

  void accept() {
    std::shared_ptr<asio::io_context> next = contexts[nextContext++ % contexts.size()];
    acceptor->async_accept(*next, [this, next](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) {
        return;
      }
      if (ec) {
        acceptFailed(ec);
        return;
      }
      if (registry->count() >= registry->maxConnections) {
        acceptWarnings.warn("{} connections are open (http.max_connections): closing new ones",
                            registry->maxConnections);
      } else {
        std::make_shared<HttpConnection>(next, std::move(socket), pipeline, workers, registry)->start();
      }
      accept();
    });
  }

  /// Out of descriptors (or another accept error): accepting again at once
  /// would spin, so wait a little, and say so once per interval.
  void acceptFailed(const boost::system::error_code& ec) {
    acceptWarnings.warn("accepting connections failed: {}; pausing accepts for 50 ms", ec.message());
    acceptPause->expires_after(std::chrono::milliseconds(50));
    acceptPause->async_wait([this](boost::system::error_code waited) {
      if (!waited && acceptor && acceptor->is_open()) {
        accept();
      }
    });
  }

  RequestPipeline pipeline;
  WorkerPool workers;
  std::shared_ptr<ConnectionRegistry> registry;
  std::vector<std::shared_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  size_t nextContext = 0;
  std::shared_ptr<spdlog::logger> log = core::logger("http");
  std::unique_ptr<asio::steady_timer> acceptPause;  // the acceptor's thread only
  core::ThrottledLog acceptWarnings{"http"};
};

ApiServer::ApiServer(std::shared_ptr<const Router> router, ServerOptions options, core::ApiKeyService& apiKeys,
                     core::Metrics* metrics, core::SessionService* sessions)
    : impl_(std::make_unique<Impl>(std::move(router), std::move(options), apiKeys, metrics, sessions)) {}

ApiServer::~ApiServer() {
  stop();
}

void ApiServer::bind() {
  if (impl_->acceptor) {
    return;
  }
  const auto& options = impl_->pipeline.options();
  const tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
  auto acceptor = std::make_unique<tcp::acceptor>(*impl_->contexts.front());
  acceptor->open(endpoint.protocol());
  acceptor->set_option(tcp::acceptor::reuse_address(true));
  acceptor->bind(endpoint);
  acceptor->listen(1024);
  impl_->acceptor = std::move(acceptor);
}

void ApiServer::start() {
  bind();
  if (!impl_->threads.empty()) {
    return;
  }
  impl_->accept();
  for (auto& context : impl_->contexts) {
    impl_->guards.push_back(asio::make_work_guard(*context));
    impl_->threads.emplace_back([&context = *context] {
      pthread_setname_np(pthread_self(), "sb-http-io");
      for (;;) {
        try {
          context.run();
          return;
        } catch (const std::exception& e) {
          core::logger("http")->error("an HTTP I/O handler failed: {}", e.what());
        }
      }
    });
  }
}

void ApiServer::stop() {
  if (!impl_) {
    return;
  }
  if (impl_->acceptor) {
    // Closed on its own thread: the acceptor is that thread's object.
    std::promise<void> closed;
    auto done = closed.get_future();
    if (impl_->threads.empty()) {
      impl_->acceptor->close();
    } else {
      asio::post(*impl_->contexts.front(), [this, &closed] {
        boost::system::error_code ignored;
        impl_->acceptor->close(ignored);
        impl_->acceptPause->cancel();
        closed.set_value();
      });
      done.wait();
    }
  }
  // The handlers running finish first (their responses and body reads
  // still need the I/O threads); then no answer is sent any more, and the
  // I/O threads stop.
  impl_->workers.stop();
  {
    std::unique_lock gate(impl_->registry->gate);
    impl_->registry->answering = false;
  }
  impl_->guards.clear();
  for (auto& context : impl_->contexts) {
    context->stop();
  }
  for (auto& thread : impl_->threads) {
    thread.join();
  }
  impl_->threads.clear();
  // Close what is still open and run the handlers that closing completes,
  // so that the connections let go of themselves. One held by a late route
  // (a webhook's batch still committing) goes when that route answers; it
  // keeps its io_context alive until then.
  std::vector<std::shared_ptr<HttpConnection>> open;
  {
    std::lock_guard lock(impl_->registry->mutex);
    for (auto& [key, weak] : impl_->registry->open) {
      if (auto connection = weak.lock()) {
        open.push_back(std::move(connection));
      }
    }
  }
  for (auto& connection : open) {
    connection->closeNow();
  }
  open.clear();
  for (auto& context : impl_->contexts) {
    context->restart();
    context->poll();
  }
  impl_->acceptor.reset();
}

uint16_t ApiServer::port() const {
  return impl_->acceptor ? impl_->acceptor->local_endpoint().port() : 0;
}

int ApiServer::rateFor(const Route& route) const {
  return impl_->pipeline.rateFor(route);
}

}  // namespace sb::host

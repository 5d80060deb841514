#include "http/ApiServer.h"

#include "http/HttpConnection.h"
#include "http/RequestPipeline.h"
#include "http/WorkerPool.h"

#include <switchboard/core/log/Logging.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <thread>
#include <vector>

#include <pthread.h>

namespace sb::host {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct ApiServer::Impl {
  Impl(std::shared_ptr<const Router> router, ServerOptions options, core::ApiKeyService& apiKeys,
       core::Metrics* metrics)
      : pipeline(std::move(router), options, apiKeys, metrics),
        workers("sb-http-work", static_cast<size_t>(std::max(1, options.maxThreads)),
                static_cast<size_t>(std::max(0, options.maxQueued))),
        registry(std::make_shared<ConnectionRegistry>()) {
    registry->maxConnections = static_cast<size_t>(std::max(1, options.maxConnections));
    registry->idleTimeout = std::chrono::seconds(std::max(1, options.keepAliveTimeoutS));
    registry->ioTimeout = std::chrono::seconds(std::max(1, options.ioTimeoutS));
    const int count = std::max(1, options.ioThreads);
    for (int i = 0; i < count; ++i) {
      contexts.push_back(std::make_shared<asio::io_context>(1));
    }
  }

  void accept() {
    std::shared_ptr<asio::io_context> next = contexts[nextContext++ % contexts.size()];
    acceptor->async_accept(*next, [this, next](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) {
        return;
      }
      if (ec) {
        log->warn("accepting a connection failed: {}", ec.message());
      } else if (registry->count() >= registry->maxConnections) {
        log->warn("{} connections are open (http.max_connections): closing a new one", registry->maxConnections);
      } else {
        std::make_shared<HttpConnection>(next, std::move(socket), pipeline, workers, registry)->start();
      }
      accept();
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
};

ApiServer::ApiServer(std::shared_ptr<const Router> router, ServerOptions options, core::ApiKeyService& apiKeys,
                     core::Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(router), std::move(options), apiKeys, metrics)) {}

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

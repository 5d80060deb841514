#include "conformance/ScratchHost.h"

#include "http/ApiServer.h"
#include "http/ErrorMapper.h"

#include <switchboard/core/auth/ApiKeyService.h>
#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/storage/Database.h>
#include <switchboard/core/storage/SqlPluginStateRepository.h>
#include <switchboard/core/storage/SqliteApiKeyRepository.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>

#include <stdlib.h>

namespace sb::host::conformance {
namespace {

// What the host allows a webhook (routes/WebhookRoutes.cpp), and a bound on
// what one run keeps.
constexpr size_t kMaxWebhookBytes = size_t{256} * 1024;
constexpr size_t kMaxKept = 1000;

std::filesystem::path scratchFolder() {
  std::string pattern = (std::filesystem::temp_directory_path() / "sb-conformance-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot make a scratch folder in " + std::filesystem::temp_directory_path().string());
  }
  return pattern;
}

}  // namespace

struct ScratchHost::Impl {
  std::filesystem::path folder = scratchFolder();
  std::unique_ptr<core::Database> database;
  std::shared_ptr<core::SqlPluginStateRepository> state;
  std::unique_ptr<core::SqliteApiKeyRepository> keyRepository;
  std::unique_ptr<core::ApiKeyService> keys;
  std::unique_ptr<ApiServer> server;
  std::string publicBaseUrl;

  mutable std::mutex mutex;
  const core::ProviderProxy* provider = nullptr;
  std::vector<ReceivedWebhook> received;

  ApiResponse handle(const ApiRequest& request) {
    sdk::HttpRequest hook;
    hook.method = request.method;
    hook.path = request.path;
    hook.query = request.query;
    hook.url = publicBaseUrl + request.path + (request.query.empty() ? "" : "?" + request.query);
    hook.remoteAddr = request.remoteAddr;
    hook.headers = request.headers;
    hook.body = request.body;
    ReceivedWebhook seen;
    seen.target = request.method + " " + request.path + (request.query.empty() ? "" : "?" + request.query);
    ApiResponse response;
    std::unique_lock lock(mutex);
    const core::ProviderProxy* target = provider;
    lock.unlock();
    if (target == nullptr) {
      response.status = 503;
      response.body = "the plugin is not running\n";
      return response;
    }
    try {
      core::WebhookOutcome outcome = target->onWebhook(hook);
      seen.status = outcome.reply.status;
      seen.events = outcome.events;
      response.status = outcome.reply.status;
      response.contentType = outcome.reply.header("Content-Type").value_or("text/plain");
      response.body = outcome.reply.body;
    } catch (const core::ProviderError& e) {
      seen.status = e.status() == sdk::Status::Unauthenticated ? 403 : 500;
      seen.error = std::string(sdk::statusName(e.status())) + ": " + e.what();
      response = ErrorMapper::toResponse(std::current_exception(), request.requestId);
    }
    lock.lock();
    if (received.size() < kMaxKept) {
      received.push_back(std::move(seen));
    }
    return response;
  }
};

ScratchHost::ScratchHost(const std::string& listenHost, uint16_t listenPort, std::string publicBaseUrl)
    : impl_(std::make_unique<Impl>()) {
  impl_->database = std::make_unique<core::Database>((impl_->folder / "conformance.db").string());
  impl_->database->migrate();
  impl_->state = std::make_shared<core::SqlPluginStateRepository>(*impl_->database);
  impl_->keyRepository = std::make_unique<core::SqliteApiKeyRepository>(*impl_->database);
  impl_->keys = std::make_unique<core::ApiKeyService>(*impl_->keyRepository);

  auto router = std::make_shared<Router>();
  for (const char* method : {"POST", "GET"}) {
    Route route{method,
                "/webhooks/{provider}/{*rest}",
                std::string("webhooks.") + method,
                Access::Signed,
                0,
                kMaxWebhookBytes,
                [impl = impl_.get()](const ApiRequest& request) { return impl->handle(request); }};
    router->add(std::move(route));
  }
  ServerOptions options;
  options.host = listenHost;
  options.port = listenPort;
  options.maxThreads = 16;
  options.logRequests = false;
  impl_->server = std::make_unique<ApiServer>(router, options, *impl_->keys);
  impl_->server->bind();
  impl_->publicBaseUrl = publicBaseUrl.empty() ? "http://" + listenHost + ":" + std::to_string(impl_->server->port())
                                               : std::move(publicBaseUrl);
  impl_->server->start();
}

void ScratchHost::stop() {
  if (impl_->server) {
    impl_->server->stop();
    impl_->server.reset();
  }
  forwardTo(nullptr);
}

ScratchHost::~ScratchHost() {
  stop();
  impl_->keys.reset();
  impl_->keyRepository.reset();
  impl_->state.reset();
  impl_->database.reset();
  std::error_code ignored;
  std::filesystem::remove_all(impl_->folder, ignored);
}

std::shared_ptr<core::PluginStateRepository> ScratchHost::state() const {
  return impl_->state;
}

const std::string& ScratchHost::publicBaseUrl() const noexcept {
  return impl_->publicBaseUrl;
}

void ScratchHost::forwardTo(const core::ProviderProxy* provider) {
  const std::lock_guard lock(impl_->mutex);
  impl_->provider = provider;
}

std::vector<ReceivedWebhook> ScratchHost::received() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

}  // namespace sb::host::conformance

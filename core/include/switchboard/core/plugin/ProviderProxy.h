#pragma once

#include <switchboard/core/plugin/HostServices.h>
#include <switchboard/core/plugin/LoadedPlugin.h>
#include <switchboard/sdk/model.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace sb::core {

/// What a webhook produced: canonical events and the provider's reply.
struct WebhookOutcome {
  nlohmann::json events = nlohmann::json::array();
  sdk::HttpResponse reply;
};

/// Bounds on what a plugin's callbacks may cost their callers.
struct ProviderLimits {
  /// plugins.operation_timeout_ms: an operation's host services (http_send)
  /// stop at this deadline (OperationDeadline).
  std::chrono::milliseconds operationDeadline{15000};
  /// plugins.nonblocking_webhook_budget_ms: a webhook of a plugin that
  /// declares webhooks_nonblocking taking longer than this shows the promise
  /// is broken; its webhooks then run on the worker pool.
  std::chrono::milliseconds nonBlockingWebhookBudget{100};
};

/// One live instance of a provider plugin, seen as a C++ API: every non-OK
/// status from the plugin becomes a ProviderError. The proxy owns the
/// instance (destroy() runs in its destructor) and keeps the library mapped.
/// THREADING: invoke and onWebhook may be called concurrently, as the ABI
/// allows; construction and destruction must not overlap other calls.
class ProviderProxy {
 public:
  /// Creates the instance with its configuration section. Throws
  /// ProviderError when the plugin's create() refuses (bad config, ...).
  /// `state` backs the plugin's "sb.state.v1" service (none: not offered).
  ProviderProxy(LoadedPluginPtr plugin, nlohmann::json config, std::shared_ptr<const HttpClient> http,
                ProviderLimits limits = {}, std::shared_ptr<PluginStateRepository> state = nullptr);
  ~ProviderProxy();
  ProviderProxy(const ProviderProxy&) = delete;
  ProviderProxy& operator=(const ProviderProxy&) = delete;

  const LoadedPlugin& plugin() const noexcept { return *plugin_; }
  const std::string& id() const noexcept { return plugin_->id(); }

  /// Runs an operation by name with a JSON request; returns the JSON result.
  nlohmann::json invoke(const std::string& operation, const nlohmann::json& request) const;
  /// Hands a raw webhook to the plugin. A bad signature throws
  /// ProviderError(Unauthenticated).
  WebhookOutcome onWebhook(const sdk::HttpRequest& request) const;
  /// The plugin promises (capabilities "webhooks_nonblocking") that
  /// onWebhook never blocks, so it may run on an I/O thread; false from the
  /// first webhook that took longer than the budget (logged once).
  bool webhooksNonBlocking() const noexcept { return webhooksNonBlocking_.load(std::memory_order_relaxed); }

  sdk::StartCallResult startCall(const sdk::StartCallRequest& request) const;
  sdk::EndCallResult endCall(const sdk::EndCallRequest& request) const;
  sdk::CallStatus callStatus(const sdk::CallStatusRequest& request) const;
  sdk::ParticipantUpdateResult updateParticipant(const sdk::ParticipantUpdateRequest& request) const;
  sdk::ClientCredential issueClientCredential(const sdk::ClientCredentialRequest& request) const;

 private:
  [[noreturn]] void fail(int32_t status, const sb_error& error, const char* what) const;

  LoadedPluginPtr plugin_;
  std::unique_ptr<HostServices> services_;
  void* instance_ = nullptr;
  ProviderLimits limits_;
  mutable std::atomic<bool> webhooksNonBlocking_{false};
};

}  // namespace sb::core

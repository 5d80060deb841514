#pragma once

#include <switchboard/core/calls/CallIngest.h>
#include <switchboard/core/calls/ProviderSlot.h>
#include <switchboard/core/log/ThrottledLog.h>
#include <switchboard/sdk/http.hpp>

#include <exception>
#include <functional>
#include <string>

namespace sb::core {

/// A provider's webhook, from the raw request to stored events: the active
/// plugin verifies and translates it (ProviderProxy::onWebhook), its events
/// go to CallIngest, and the plugin's reply is handed back only once they
/// are committed, so a provider that got its 2xx never needs to redeliver.
/// The HTTP route is only the adapter.
/// THREADING: thread-safe.
class WebhookService {
 public:
  WebhookService(const ProviderSlot& provider, CallIngest& ingest);

  /// Told the plugin's reply once the events are stored, or what failed.
  using Done = std::function<void(sdk::HttpResponse reply, std::exception_ptr error)>;

  /// Throws DomainError NotFound when `providerId` is not the active
  /// provider and Forbidden when the plugin refuses the signature; other
  /// plugin failures are ProviderErrors. Otherwise `done` is called (at once
  /// when there were no events, else on the journal's thread after the
  /// commit: keep it short). `requestId` tags log lines.
  void handle(const std::string& providerId, const sdk::HttpRequest& request, const std::string& requestId, Done done);

  /// The active provider promises webhooks that never block (they may run
  /// on an I/O thread).
  bool nonBlocking() const;

 private:
  const ProviderSlot& provider_;
  CallIngest& ingest_;
  ThrottledLog rejected_{"webhooks"};  ///< unsigned floods are an attack's shape: one line per interval
};

}  // namespace sb::core

#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

#include <exception>
#include <functional>

namespace sb::host {

/// Told that a webhook's events are stored (null) or could not be.
using EventsStored = std::function<void(std::exception_ptr error)>;
/// Receives the canonical events a webhook produced (the calls service
/// stores and applies them) and calls `stored` once they are committed; the
/// reply goes back only then, so a provider that got its 2xx never needs to
/// redeliver.
using EventSink = std::function<void(const std::string& provider, nlohmann::json events, EventsStored stored)>;

/// /webhooks/{provider}/... : the raw request goes to the active plugin's
/// on_webhook, which verifies the signature against the public URL rebuilt
/// from public_base_url; its reply goes back to the provider.
void addWebhookRoutes(Router& router, HostContext& context, EventSink sink);

}  // namespace sb::host

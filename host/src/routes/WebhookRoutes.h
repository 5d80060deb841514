#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

#include <functional>

namespace sb::host {

/// Receives the canonical events a webhook produced (the calls service
/// stores and applies them). Called before the reply goes back.
using EventSink = std::function<void(const std::string& provider, const nlohmann::json& events)>;

/// /webhooks/{provider}/... : the raw request goes to the active plugin's
/// on_webhook, which verifies the signature against the public URL rebuilt
/// from public_base_url; its reply goes back to the provider.
void addWebhookRoutes(Router& router, HostContext& context, EventSink sink);

}  // namespace sb::host

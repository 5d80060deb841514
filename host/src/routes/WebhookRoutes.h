#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

namespace sb::host {

/// /webhooks/{provider}/... : the adapter in front of core::WebhookService.
/// The raw request goes to the active plugin with the public URL rebuilt
/// from public_base_url (which its signature covers); the plugin's reply
/// goes back to the provider once the events it produced are committed.
void addWebhookRoutes(Router& router, HostContext& context);

}  // namespace sb::host

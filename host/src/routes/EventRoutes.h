#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

namespace sb::host {

/// GET /api/v1/events: the live call-event stream (Server-Sent Events).
void addEventRoutes(Router& router, HostContext& context);

}  // namespace sb::host

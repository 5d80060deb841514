#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

namespace sb::host {

/// /health, /ready, /api/v1/me and /api/v1/provider.
void addSystemRoutes(Router& router, HostContext& context);

}  // namespace sb::host

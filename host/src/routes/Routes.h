#pragma once

#include "app/HostContext.h"
#include "http/ApiServer.h"
#include "http/Router.h"

namespace sb::host {

/// Every route of the host, in one place.
void addAllRoutes(Router& router, HostContext& context);

/// Server options (threads, limits, rate limits) from the settings.
ServerOptions serverOptionsFrom(const core::Settings& settings);

}  // namespace sb::host

#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

namespace sb::host {

/// /api/v1/contact-lists, /api/v1/contacts and /api/v1/dnc.
void addContactRoutes(Router& router, HostContext& context);

}  // namespace sb::host

#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

namespace sb::host {

/// POST /api/v1/session (sign in with email and password: a session
/// cookie) and DELETE /api/v1/session (sign out).
void addSessionRoutes(Router& router, HostContext& context);

}  // namespace sb::host

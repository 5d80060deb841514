#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

namespace sb::host {

/// People, for admins: GET/POST /api/v1/users, PATCH /api/v1/users/{id}
/// (role, disabled) and POST /api/v1/users/{id}/password (a new password,
/// generated and shown once unless one is given). Every change is audited;
/// disabling someone or resetting their password ends their sessions.
void addUserRoutes(Router& router, HostContext& context);

}  // namespace sb::host

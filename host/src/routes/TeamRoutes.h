#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

namespace sb::host {

/// GET /api/v1/agents/now (supervisor): every agent's state now, their
/// live call and today's figures: the supervisor's board.
void addTeamRoutes(Router& router, HostContext& context);

}  // namespace sb::host

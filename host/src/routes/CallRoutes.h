#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

namespace sb::host {

/// /api/v1/calls (dial, history, one call with its timeline, outcome and
/// notes, controls, CSV export), /api/v1/dispositions and /api/v1/stats.
void addCallRoutes(Router& router, HostContext& context);

}  // namespace sb::host

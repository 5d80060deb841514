#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

namespace sb::host {

/// The admin board's cold-call API (seed-requirements.md section 3) under a
/// configurable prefix (coldcall.prefix, default /api/v1/cold-call): the
/// original paths, field names, status codes and error codes.
void addColdCallRoutes(Router& router, HostContext& context);

}  // namespace sb::host

#pragma once

// Audit entries for what a request did, and GET /api/v1/audit.

#include "app/HostContext.h"
#include "http/Router.h"

#include <switchboard/core/audit/AuditLog.h>

namespace sb::host {

/// An entry whose actor is the request's key or person, with its address.
core::AuditEntry auditEntry(const ApiRequest& request, std::string action, std::string target,
                            nlohmann::json details = nlohmann::json::object());

/// GET /api/v1/audit (admin): newest first, paged, filtered by action
/// (exact, or a prefix ending in '.'), actor and time.
void addAuditRoutes(Router& router, HostContext& context);

}  // namespace sb::host

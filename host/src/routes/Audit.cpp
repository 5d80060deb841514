#include "routes/Audit.h"

#include "http/ApiError.h"
#include "http/RequestFields.h"

namespace sb::host {

core::AuditEntry auditEntry(const ApiRequest& request, std::string action, std::string target, nlohmann::json details) {
  core::AuditEntry entry;
  if (request.principal) {
    entry.actor = request.principal->keyId;
    entry.actorName = request.principal->session ? request.principal->email : request.principal->keyName;
  } else {
    entry.actor = "-";
  }
  entry.action = std::move(action);
  entry.target = std::move(target);
  entry.client = request.clientAddr;
  entry.details = std::move(details);
  return entry;
}

void addAuditRoutes(Router& router, HostContext& context) {
  router.add({"GET", "/api/v1/audit", "audit.list", Access::Admin, 0, 0, [&context](const ApiRequest& request) {
                core::AuditQuery query;
                query.action = request.queryParam("action").value_or("");
                query.actor = request.queryParam("actor").value_or("");
                query.fromMs = timeParam(request, "from");
                query.toMs = timeParam(request, "to");
                query.page = intParam(request, "page", 1);
                query.perPage = intParam(request, "per_page", 50);
                if (query.page < 1 || query.perPage < 1 || query.perPage > core::AuditLog::kMaxPerPage) {
                  throw ApiError::validation(
                      "page must be 1 or more and per_page 1 to " + std::to_string(core::AuditLog::kMaxPerPage),
                      {{"field", "per_page"}});
                }
                const auto page = context.audit().query(query);
                nlohmann::json data = nlohmann::json::array();
                for (const auto& entry : page.items) data.push_back(entry.toJson());
                return ApiResponse::json(
                    200, {{"data", data}, {"page", query.page}, {"per_page", query.perPage}, {"total", page.total}});
              }});
}

}  // namespace sb::host

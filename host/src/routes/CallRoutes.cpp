#include "routes/CallRoutes.h"

#include "http/ApiError.h"
#include "http/RequestFields.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/text/Time.h>

#include <algorithm>
#include <chrono>

namespace sb::host {
namespace {

core::CallQuery queryFrom(const ApiRequest& request) {
  core::CallQuery query;
  if (request.queryParam("contact_id")) query.contactId = intParam(request, "contact_id", 0);
  query.agentId = agentScope(request, request.queryParam("agent_id").value_or(""));
  query.outcome = request.queryParam("outcome").value_or("");
  query.result = request.queryParam("result").value_or("");
  query.status = request.queryParam("status").value_or("");
  query.fromMs = timeParam(request, "from");
  query.toMs = timeParam(request, "to");
  query.notesSearch = request.queryParam("q").value_or("");
  query.contactSearch = request.queryParam("contact").value_or("");
  query.page = intParam(request, "page", 1);
  query.perPage = intParam(request, "per_page", 50);
  return query;
}

/// A spreadsheet runs cells that start with = + - @ (and tab or CR) as
/// formulas: prefix them with a quote so a note cannot become a formula.
std::string csvCell(const std::string& value) {
  std::string cell = value;
  if (!cell.empty() &&
      (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r')) {
    cell.insert(0, 1, '\'');
  }
  if (cell.find_first_of(",\"\r\n") != std::string::npos) {
    std::string quoted = "\"";
    for (const char c : cell) {
      quoted += c;
      if (c == '"') quoted += '"';
    }
    return quoted + "\"";
  }
  return cell;
}

std::string optionalIso(const std::optional<int64_t>& ms) {
  return ms ? core::formatUtc(*ms / 1000) : std::string();
}

ApiResponse exportCsv(HostContext& context, const ApiRequest& request) {
  core::CallQuery query = queryFrom(request);
  query.page = 1;
  query.perPage = core::ContactService::kMaxPerPage;
  // The byte order mark tells a spreadsheet the file is UTF-8 (Excel reads
  // "Zoë" as mojibake without it).
  std::string out =
      "\xEF\xBB\xBF"
      "call_id,created_at,agent_id,contact_id,contact_name,contact_company,to,from,provider,status,result,"
      "talk_seconds,outcome,notes,answered_at,ended_at\r\n";
  constexpr int64_t kMaxRows = 100000;
  int64_t written = 0;
  int64_t total = 0;
  for (;; ++query.page) {
    const core::CallPage page = context.calls().queries().history(query);
    total = std::max<int64_t>(total, page.total);
    for (const auto& call : page.items) {
      const std::vector<std::string> cells = {call.id,
                                              core::formatUtc(call.createdAt / 1000),
                                              call.agentId,
                                              call.contactId ? std::to_string(*call.contactId) : "",
                                              call.contactName,
                                              call.contactCompany,
                                              call.toE164,
                                              call.fromE164,
                                              call.provider,
                                              call.status,
                                              call.result,
                                              call.talkSeconds ? std::to_string(*call.talkSeconds) : "",
                                              call.outcome.value_or(""),
                                              call.notes,
                                              optionalIso(call.answeredAt),
                                              optionalIso(call.endedAt)};
      for (size_t i = 0; i < cells.size(); ++i) {
        out += (i == 0 ? "" : ",") + csvCell(cells[i]);
      }
      out += "\r\n";
    }
    written += static_cast<int64_t>(page.items.size());
    if (page.items.size() < static_cast<size_t>(query.perPage) || written >= kMaxRows) {
      break;
    }
  }
  ApiResponse response;
  response.contentType = "text/csv; charset=utf-8";
  const std::string today = core::formatUtc(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count(),
      "%Y-%m-%d");
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"calls-" + today + ".csv\"");
  // The export stops at kMaxRows: say so rather than hand over a file that
  // looks whole (narrow the filters, e.g. by date, to export the rest).
  response.headers.emplace_back("X-Export-Rows", std::to_string(written));
  response.headers.emplace_back("X-Export-Total", std::to_string(std::max(total, written)));
  response.headers.emplace_back("X-Export-Truncated", written < total ? "true" : "false");
  response.body = std::move(out);
  return response;
}

nlohmann::json pageJson(const core::CallPage& page, const core::CallQuery& query) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& call : page.items) {
    items.push_back(call.toJson());
  }
  return {{"data", items}, {"total", page.total}, {"page", query.page}, {"per_page", query.perPage}};
}

std::string callId(const ApiRequest& request) {
  return request.params.at("id");
}

/// The call's id, once the caller may act on it.
std::string ownCallId(HostContext& context, const ApiRequest& request) {
  const core::CallRecord call = context.calls().queries().get(callId(request));
  requireOwnCall(request, call.agentId, callId(request));
  return call.id;
}

}  // namespace

void addCallRoutes(Router& router, HostContext& context) {
  router.add({"GET", "/api/v1/calls", "calls.list", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
                const core::CallQuery query = queryFrom(request);
                return ApiResponse::json(200, pageJson(context.calls().queries().history(query), query));
              }});
  router.add({"GET", "/api/v1/calls/export", "calls.export", Access::Agent, 30, 0,
              [&context](const ApiRequest& request) { return exportCsv(context, request); }});
  // The calls in progress, for a page that reloads or crashes mid-call: an
  // agent gets its own; a supervisor or an admin everyone's, or one agent's.
  // (An agent naming another agent is refused here too; before roles it
  // silently got its own, which a page could misread as "no calls".)
  router.add(
      {"GET", "/api/v1/calls/active", "calls.active", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
         const std::string agent = agentScope(request, request.queryParam("agent_id").value_or(""));
         nlohmann::json items = nlohmann::json::array();
         for (const auto& call : context.calls().queries().active(agent)) {
           items.push_back(call.toJson());
         }
         return ApiResponse::json(200, {{"data", items}});
       }});
  router.add({"POST", "/api/v1/calls", "calls.create", Access::Agent, 10, 0, [&context](const ApiRequest& request) {
                const nlohmann::json body = request.jsonBody();
                core::StartCallCommand command;
                command.contactId = optionalInt(body, "contact_id");
                command.to = optionalString(body, "to").value_or("");
                command.from = optionalString(body, "from").value_or("");
                const AgentOfCall agent = agentFor(request, body);
                command.agentId = agent.id;
                command.agentNamed = agent.named;
                if (!command.contactId && command.to.empty()) {
                  throw ApiError::validation("send contact_id or to", {{"field", "contact_id"}});
                }
                return ApiResponse::json(201, context.calls().commands().start(command).toJson());
              }});
  router.add({"GET", "/api/v1/calls/{id}", "calls.get", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
                const core::CallDetail detail = context.calls().queries().detail(callId(request));
                requireVisibleCall(request, detail.call.agentId, callId(request));
                nlohmann::json body = detail.call.toJson();
                body["timeline"] = nlohmann::json::array();
                for (const auto& event : detail.timeline) {
                  body["timeline"].push_back(event.toJson(detail.call));
                }
                return ApiResponse::json(200, body);
              }});
  router.add(
      {"PATCH", "/api/v1/calls/{id}", "calls.update", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
         const nlohmann::json body = request.jsonBody();
         const auto outcome = optionalString(body, "outcome");
         const auto notes = optionalString(body, "notes");
         const core::CallRecord call = context.calls().commands().logOutcome(ownCallId(context, request), outcome,
                                                                             notes, request.principal->keyName);
         return ApiResponse::json(200, call.toJson());
       }});
  router.add(
      {"POST", "/api/v1/calls/{id}/join", "calls.join", Access::Agent, 20, 0, [&context](const ApiRequest& request) {
         const nlohmann::json body = request.jsonBodyOrEmpty();
         const core::JoinResult joined = context.calls().commands().join(
             ownCallId(context, request), agentIdFor(request, body), optionalBool(body, "refresh").value_or(false));
         return ApiResponse::json(200, {{"call", joined.call.toJson()},
                                        {"session_id", joined.call.sessionId},
                                        {"credential", joined.credential.toJson()}});
       }});
  router.add(
      {"POST", "/api/v1/calls/{id}/mute", "calls.mute", Access::Agent, 30, 0, [&context](const ApiRequest& request) {
         const nlohmann::json body = request.jsonBodyOrEmpty();
         const bool muted = optionalBool(body, "muted").value_or(true);
         const std::string leg = optionalString(body, "leg").value_or("agent");
         const auto done = context.calls().commands().control(ownCallId(context, request), leg, muted, std::nullopt);
         return ApiResponse::json(200, done.call.toJson());
       }});
  router.add(
      {"POST", "/api/v1/calls/{id}/hold", "calls.hold", Access::Agent, 30, 0, [&context](const ApiRequest& request) {
         const nlohmann::json body = request.jsonBodyOrEmpty();
         const bool held = optionalBool(body, "held").value_or(true);
         const std::string leg = optionalString(body, "leg").value_or("contact");
         const auto done = context.calls().commands().control(ownCallId(context, request), leg, std::nullopt, held);
         return ApiResponse::json(200, done.call.toJson());
       }});
  router.add(
      {"POST", "/api/v1/calls/{id}/end", "calls.end", Access::Agent, 20, 0, [&context](const ApiRequest& request) {
         const core::EndResult ended = context.calls().commands().end(ownCallId(context, request));
         nlohmann::json body = ended.call.toJson();
         body["already_ended"] = ended.alreadyEnded;
         return ApiResponse::json(200, body);
       }});
  router.add({"GET", "/api/v1/dispositions", "dispositions.list", Access::Agent, 0, 0, [&context](const ApiRequest&) {
                return ApiResponse::json(200, {{"dispositions", context.calls().commands().dispositions()},
                                               {"caller_ids", context.calls().commands().callerIds()}});
              }});
  router.add({"GET", "/api/v1/stats", "stats.get", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
                core::CallStatsQuery query;
                query.fromMs = timeParam(request, "from");
                query.toMs = timeParam(request, "to");
                query.agentId = agentScope(request, request.queryParam("agent_id").value_or(""));
                return ApiResponse::json(200, context.calls().queries().stats(query));
              }});
}

}  // namespace sb::host

#include "routes/TeamRoutes.h"

#include "http/ApiError.h"
#include "http/RequestFields.h"

#include <switchboard/core/calls/AgentActivity.h>
#include <switchboard/core/text/Time.h>

#include <map>

namespace sb::host {
namespace {

/// One row of the board while it is being put together.
struct BoardRow {
  std::string name;
  std::string kind = "key";  ///< "person" (a user) or "key" (an API key's agent)
  std::string role;
  const core::CallRecord* latest = nullptr;
  nlohmann::json today = nullptr;
};

std::string isoMs(int64_t ms) {
  return core::formatUtc(ms / 1000);
}

nlohmann::json liveCallJson(const core::CallRecord& call) {
  nlohmann::json out = {{"id", call.id},
                        {"status", call.status},
                        {"result", call.result.empty() ? nlohmann::json(nullptr) : nlohmann::json(call.result)},
                        {"contact_id", call.contactId ? nlohmann::json(*call.contactId) : nlohmann::json(nullptr)},
                        {"contact_name", call.contactName},
                        {"contact_company", call.contactCompany},
                        {"to", call.toE164},
                        {"created_at", isoMs(call.createdAt)},
                        {"answered_at", call.answeredAt ? nlohmann::json(isoMs(*call.answeredAt)) : nullptr},
                        {"ended_at", call.endedAt ? nlohmann::json(isoMs(*call.endedAt)) : nullptr},
                        {"agent_state", call.agentState},
                        {"contact_held", call.contactHeld},
                        {"agent_muted", call.agentMuted}};
  return out;
}

nlohmann::json emptyDay() {
  return {{"calls", 0}, {"connects", 0}, {"connect_rate", 0.0}, {"talk_seconds", 0}, {"average_talk_seconds", 0.0}};
}

/// UTC midnight today, in Unix ms: "today" when the board is not told
/// where the viewer's day begins.
int64_t utcMidnightMs(int64_t nowMs) {
  constexpr int64_t kDayMs = 86'400'000;
  return nowMs - nowMs % kDayMs;
}

}  // namespace

void addTeamRoutes(Router& router, HostContext& context) {
  // The board reads three things, each one query: the people, each named
  // agent's latest call today and today's figures per agent. The page asks
  // again when the event stream says a call changed (a burst is one ask).
  router.add(
      {"GET", "/api/v1/agents/now", "agents.now", Access::Supervisor, 0, 0, [&context](const ApiRequest& request) {
         const int64_t now = core::unixNowMs();
         const int64_t from = timeParam(request, "from").value_or(utcMidnightMs(now));
         if (from > now || now - from > 7 * 86'400'000LL) {
           throw ApiError::validation("from must be within the last 7 days (the start of the viewer's day)",
                                      {{"field", "from"}});
         }
         const auto latest = context.calls().queries().latestPerAgent(from);
         core::CallStatsQuery statsQuery;
         statsQuery.fromMs = from;
         const nlohmann::json stats = context.calls().queries().stats(statsQuery);

         const auto users = context.users().list();
         std::map<std::string, BoardRow> rows;
         for (const auto& user : users) {
           // Agents are on the board whether or not they called today; a
           // supervisor or an admin only once they have placed a call.
           if (!user.disabled && user.role == "agent") {
             rows[user.emailKey] = {user.displayName, "person", user.role};
           }
         }
         for (const auto& call : latest) {
           BoardRow& row = rows[call.agentId];
           row.latest = &call;
         }
         for (const auto& user : users) {
           if (const auto it = rows.find(user.emailKey); it != rows.end() && it->second.kind != "person") {
             it->second = {user.displayName, "person", user.role, it->second.latest};
           }
         }
         for (const auto& entry : stats.value("per_agent", nlohmann::json::array())) {
           const std::string agent = entry.value("agent_id", "");
           if (const auto it = rows.find(agent); it != rows.end()) {
             nlohmann::json day = entry;
             day.erase("agent_id");
             it->second.today = std::move(day);
           }
         }

         nlohmann::json agents = nlohmann::json::array();
         for (const auto& [agentId, row] : rows) {
           const core::AgentActivity activity = core::activityOf(row.latest, now);
           agents.push_back({{"agent_id", agentId},
                             {"name", row.name.empty() ? agentId : row.name},
                             {"kind", row.kind},
                             {"role", row.role.empty() ? nlohmann::json(nullptr) : nlohmann::json(row.role)},
                             {"state", activity.state},
                             {"since", activity.sinceMs ? nlohmann::json(isoMs(*activity.sinceMs)) : nullptr},
                             {"call", activity.showsCall ? liveCallJson(*row.latest) : nlohmann::json(nullptr)},
                             {"today", row.today.is_null() ? emptyDay() : row.today}});
         }
         return ApiResponse::json(200, {{"as_of", isoMs(now)},
                                        {"from", isoMs(from)},
                                        {"agents", agents},
                                        {"totals", stats.value("totals", emptyDay())}});
       }});
}

}  // namespace sb::host

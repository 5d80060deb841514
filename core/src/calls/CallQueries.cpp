#include <switchboard/core/calls/CallQueries.h>

#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/ContactService.h>

namespace sb::core {

CallRecord CallQueries::get(const std::string& reference) {
  return ledger_.findOrThrow(reference);
}

std::vector<CallRecord> CallQueries::active(const std::string& agentId) {
  return ledger_.repository().active(agentId, maxActive_);
}

std::vector<CallRecord> CallQueries::latestPerAgent(int64_t sinceMs) {
  return ledger_.repository().latestPerAgent(sinceMs, kMaxBoardAgents);
}

CallDetail CallQueries::detail(const std::string& reference) {
  CallDetail detail;
  detail.call = ledger_.findOrThrow(reference);
  detail.timeline = ledger_.repository().timeline(detail.call.id);
  return detail;
}

CallPage CallQueries::history(CallQuery query) {
  if (query.page < 1) {
    throw DomainError(DomainError::Kind::Validation, "page must be 1 or more", {{"field", "page"}});
  }
  if (query.perPage < 1 || query.perPage > ContactService::kMaxPerPage) {
    throw DomainError(DomainError::Kind::Validation, "per_page must be 1-200", {{"field", "per_page"}});
  }
  return ledger_.repository().history(query);
}

nlohmann::json CallQueries::stats(const CallStatsQuery& query) {
  return ledger_.repository().stats(query);
}

std::vector<std::pair<StoredEvent, CallRecord>> CallQueries::eventsAfter(int64_t seq, int64_t limit) {
  return ledger_.repository().eventsAfter(seq, limit);
}

int64_t CallQueries::lastEventSeq() {
  return ledger_.repository().lastEventSeq();
}

}  // namespace sb::core

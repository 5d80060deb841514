#pragma once

#include <switchboard/core/calls/CallLedger.h>
#include <switchboard/core/calls/CallRepository.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sb::core {

struct CallDetail {
  CallRecord call;
  std::vector<StoredEvent> timeline;
};

/// Reads of calls and their timelines, checked and bounded; no writes.
/// THREADING: thread-safe.
class CallQueries {
 public:
  CallQueries(CallLedger& ledger, int64_t maxActive) : ledger_(ledger), maxActive_(maxActive) {}

  /// The call an id, provider id or conference name names (NotFound else).
  CallRecord get(const std::string& reference);
  /// Calls not yet ended, oldest first (at most calls.max_active): everyone's
  /// when `agentId` is empty, else that agent's.
  std::vector<CallRecord> active(const std::string& agentId);
  /// Each named agent's latest call placed since `sinceMs` (at most
  /// kMaxBoardAgents agents).
  std::vector<CallRecord> latestPerAgent(int64_t sinceMs);
  static constexpr int64_t kMaxBoardAgents = 1000;
  CallDetail detail(const std::string& reference);
  CallPage history(CallQuery query);
  nlohmann::json stats(const CallStatsQuery& query);
  std::vector<std::pair<StoredEvent, CallRecord>> eventsAfter(int64_t seq, int64_t limit);
  int64_t lastEventSeq();

 private:
  CallLedger& ledger_;
  int64_t maxActive_;
};

}  // namespace sb::core

#pragma once

#include <switchboard/core/calls/Call.h>
#include <switchboard/core/storage/DatabaseListener.h>
#include <switchboard/sdk/model.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sb::core {

/// Calls and their timelines. Implementations: SqliteCallRepository.
/// Writes happen on the CallJournal's thread inside transact(); reads from
/// any thread.
class CallRepository {
 public:
  virtual ~CallRepository() = default;

  /// Runs `work` in one transaction and commits it (rolls back and rethrows
  /// when it throws).
  virtual void transact(const std::function<void()>& work) = 0;
  /// Inside transact(): runs one job so that its failure undoes only its
  /// own writes (a savepoint), then rethrows.
  virtual void step(const std::function<void()>& work) = 0;

  /// Throws DomainError(AgentBusy) when the agent already has an active call.
  virtual void insert(const CallRecord& call) = 0;
  /// Writes what changed from `before` (the record as read) to `after`, and
  /// when anything did, stamps `after.version` with `before.version + 1`.
  virtual void save(const CallRecord& before, CallRecord& after) = 0;
  virtual std::optional<CallRecord> find(const std::string& id) = 0;
  /// By our id, the provider's conference id, the conference's friendly
  /// name or the browser session id.
  virtual std::optional<CallRecord> findByReference(const std::string& reference) = 0;
  /// The call an event belongs to: by its call id, else the provider's leg or
  /// conference id.
  virtual std::optional<CallRecord> resolve(const sdk::CallEvent& event) = 0;
  /// The named agent's one active call (calls with no named agent are not
  /// counted: see CallRecord::agentNamed).
  virtual std::optional<CallRecord> activeFor(const std::string& agentId) = 0;
  /// Calls not yet ended, oldest first: all (`agentId` empty) or those whose
  /// agent is `agentId`, named or not.
  virtual std::vector<CallRecord> active(const std::string& agentId, int64_t limit) = 0;
  /// How many calls are not yet ended.
  virtual int64_t activeCount() = 0;
  /// Each named agent's latest call placed at or after `sinceMs`, or still
  /// live whenever it was placed (one per agent, by agent id): what the
  /// supervisor's board reads an agent's state from.
  virtual std::vector<CallRecord> latestPerAgent(int64_t sinceMs, int64_t limit) = 0;
  /// Live calls whose contact answered before `answeredBeforeMs` and whose
  /// agent never joined, oldest answer first.
  virtual std::vector<CallRecord> answeredWithoutAgent(int64_t answeredBeforeMs, int64_t limit) = 0;
  /// Live answered calls whose agent joined and is now not connected (the
  /// page reloaded, crashed or lost its network), oldest answer first.
  virtual std::vector<CallRecord> answeredWithAgentAway(int64_t limit) = 0;
  /// Appends to the timeline; returns the new seq, or 0 when an event with
  /// the same (source, event_key) is already there.
  virtual int64_t appendEvent(const StoredEvent& event) = 0;

  /// Contact bookkeeping: in_call when dialed, called when the call ends
  /// (do_not_call stays), last outcome and notes when logged.
  virtual void markContactDialed(int64_t contactId, int64_t nowMs) = 0;
  virtual void markContactCallEnded(int64_t contactId, int64_t nowMs) = 0;
  virtual void markContactOutcome(int64_t contactId, const std::string& outcome, const std::string& notes,
                                  int64_t nowMs) = 0;

  virtual CallPage history(const CallQuery& query) = 0;
  virtual std::vector<StoredEvent> timeline(const std::string& callId) = 0;
  /// Events after `seq` (oldest first, at most `limit`), each with its call's
  /// agent, for resuming the live stream.
  virtual std::vector<std::pair<StoredEvent, CallRecord>> eventsAfter(int64_t seq, int64_t limit) = 0;
  virtual int64_t lastEventSeq() = 0;
  /// When several hosts share the store: a listener that wakes whenever any
  /// host commits events (then eventsAfter() has them, in seq order).
  /// nullptr when this host is the only writer.
  virtual std::unique_ptr<DatabaseListener> listenForEvents() { return nullptr; }
  /// Totals, per UTC day and per agent: calls, connects, connect rate, talk
  /// time, outcomes, results.
  virtual nlohmann::json stats(const CallStatsQuery& query) = 0;
};

}  // namespace sb::core

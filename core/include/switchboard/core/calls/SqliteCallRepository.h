#pragma once

#include <switchboard/core/calls/CallRepository.h>
#include <switchboard/core/storage/Database.h>

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::core {

class SqliteCallRepository final : public CallRepository {
 public:
  explicit SqliteCallRepository(Database& database);
  ~SqliteCallRepository() override;

  void transact(const std::function<void()>& work) override;
  void step(const std::function<void()>& work) override;
  void insert(const CallRecord& call) override;
  void save(const CallRecord& before, CallRecord& after) override;
  std::optional<CallRecord> find(const std::string& id) override;
  std::optional<CallRecord> findByReference(const std::string& reference) override;
  std::optional<CallRecord> resolve(const sdk::CallEvent& event) override;
  std::optional<CallRecord> activeFor(const std::string& agentId) override;
  std::vector<CallRecord> active(const std::string& agentId, int64_t limit) override;
  int64_t activeCount() override;
  std::vector<CallRecord> latestPerAgent(int64_t sinceMs, int64_t limit) override;
  std::vector<CallRecord> answeredWithoutAgent(int64_t answeredBeforeMs, int64_t limit) override;
  std::vector<CallRecord> answeredWithAgentAway(int64_t limit) override;
  int64_t appendEvent(const StoredEvent& event) override;
  void markContactDialed(int64_t contactId, int64_t nowMs) override;
  void markContactCallEnded(int64_t contactId, int64_t nowMs) override;
  void markContactOutcome(int64_t contactId, const std::string& outcome, const std::string& notes,
                          int64_t nowMs) override;
  CallPage history(const CallQuery& query) override;
  std::vector<StoredEvent> timeline(const std::string& callId) override;
  std::vector<std::pair<StoredEvent, CallRecord>> eventsAfter(int64_t seq, int64_t limit) override;
  int64_t lastEventSeq() override;
  std::unique_ptr<DatabaseListener> listenForEvents() override;
  /// The channel a commit with events notifies (PostgreSQL).
  static constexpr const char* kEventsChannel = "switchboard_call_events";
  nlohmann::json stats(const CallStatsQuery& query) override;

 private:
  std::optional<CallRecord> findWhere(const std::string& sql, const std::string& value);
  void remember(const CallRecord& call);
  /// Drops the kept statements when the connection they belong to was
  /// replaced (Database::connectionGeneration). Under the connection lock.
  void forgetStaleStatements();

  Database& database_;
  std::map<uint64_t, std::string>
      updateSql_;  ///< by changed-columns mask, in this database's SQL; under the connection lock
  /// Live calls as last written, so that applying an event need not read
  /// its call back (all writes pass through this repository). Under the
  /// connection lock; a rolled-back write evicts what it touched. Empty on
  /// PostgreSQL, where other hosts write the same calls.
  std::unordered_map<std::string, CallRecord> records_;
  std::vector<std::string> writtenInStep_;
  bool eventsInTransaction_ = false;   ///< an event was stored since the transaction began
  uint64_t statementsGeneration_ = 0;  ///< the connection kept_ belongs to

  /// Statements of the webhook path, kept for the repository's life (under
  /// the connection lock): transaction control and the event insert.
  struct KeptStatements;
  std::unique_ptr<KeptStatements> kept_;
};

}  // namespace sb::core

#pragma once

#include <switchboard/core/calls/CallJournal.h>
#include <switchboard/core/calls/CallRepository.h>
#include <switchboard/core/calls/CallStateMachine.h>
#include <switchboard/core/contacts/ContactService.h>
#include <switchboard/core/metrics/Metrics.h>
#include <switchboard/core/plugin/ProviderProxy.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace sb::core {

struct CallServiceOptions {
  std::vector<std::string> callerIds;     ///< E.164; the first is the default
  std::vector<std::string> dispositions;  ///< outcomes an agent may log
  int64_t ringTimeoutS = 30;
  /// Calls in progress at once (every agent and key together); past it a
  /// placement is refused (AtCapacity) until one ends.
  int64_t maxActive = 1000;
  /// An answered contact whose agent has not joined after this long is hung
  /// up and the call's result is `abandoned` (product §2.4); an agent whose
  /// browser leg dropped (a reload, a crash) has as long to come back before
  /// the call is ended. 0 turns both off (a dropped agent ends the call).
  int64_t agentJoinTimeoutS = 15;
  /// How often the reaction thread looks for such calls.
  std::chrono::milliseconds abandonSweepEvery{1000};
  int64_t credentialTtlS = 3600;
  std::string conferencePrefix = "COLD_CALL_";
  size_t journalBatch = 256;
  std::chrono::microseconds journalLinger{200};  ///< see CallJournal::setLinger
  size_t journalLingerBelow = 16;
  std::function<int64_t()> clockMs;  ///< Unix ms; defaults to the system clock

  static const std::vector<std::string>& defaultDispositions();
};

struct StartCallCommand {
  std::string to;    ///< E.164 (or empty with contactId)
  std::string from;  ///< requested caller ID; kept only if configured
  std::optional<int64_t> contactId;
  std::string agentId;
  /// False: an admin key placing a call for no one in particular (see
  /// CallRecord::agentNamed); such calls are capped only by maxActive.
  bool agentNamed = true;
};

struct JoinResult {
  CallRecord call;
  sdk::ClientCredential credential;
};

struct ControlResult {
  CallRecord call;
  std::string leg;            ///< contact | agent
  std::string participantId;  ///< CallRecord::participantId of the leg (the leg's name while it has none)
  bool muted = false;
  bool held = false;
};

struct EndResult {
  CallRecord call;
  bool alreadyEnded = false;
};

struct CallDetail {
  CallRecord call;
  std::vector<StoredEvent> timeline;
};

/// The dialing core: places calls through the active provider, keeps their
/// records and timelines (every write through the CallJournal), applies
/// provider events with the CallStateMachine, and enforces the rules: the
/// do-not-call list, one active call per agent, the caller-ID rule, no leg
/// left alone in a bridge.
/// THREADING: thread-safe.
class CallService {
 public:
  using Listener = std::function<void(const std::vector<CommittedEvent>&)>;

  CallService(CallRepository& calls, ContactService& contacts, Metrics& metrics, CallServiceOptions options);
  ~CallService();
  CallService(const CallService&) = delete;
  CallService& operator=(const CallService&) = delete;

  /// The provider calls go to (nullptr: calls fail with 503 and `problem`).
  void setProvider(const ProviderProxy* provider, std::string problem = {});

  CallRecord start(const StartCallCommand& command);
  /// A browser credential for the agent's leg of a call.
  /// `refresh`: a new credential for a browser leg already in the bridge
  /// (the Voice SDK's token is about to expire); the leg's state is left
  /// alone.
  JoinResult join(const std::string& reference, const std::string& agentId, bool refresh = false);
  /// Mute and/or hold one participant: "contact", "agent", or a leg's id.
  ControlResult control(const std::string& reference, const std::string& participant, std::optional<bool> muted,
                        std::optional<bool> held);
  /// Ends the call and its bridge; ending an ended call succeeds.
  EndResult end(const std::string& reference);
  CallRecord get(const std::string& reference);
  /// Calls not yet ended, oldest first (at most maxActive): everyone's when
  /// `agentId` is empty, else that agent's.
  std::vector<CallRecord> active(const std::string& agentId);
  CallDetail detail(const std::string& reference);
  CallRecord logOutcome(const std::string& id, const std::optional<std::string>& outcome,
                        const std::optional<std::string>& notes, const std::string& by);
  CallPage history(CallQuery query);
  nlohmann::json stats(const CallStatsQuery& query);
  std::vector<std::pair<StoredEvent, CallRecord>> eventsAfter(int64_t seq, int64_t limit);
  int64_t lastEventSeq();

  /// Applies a webhook's canonical events (JSON array from the plugin).
  /// Returns how many were new. Waits until they are committed.
  size_t ingest(const std::string& source, const nlohmann::json& events);

  /// Told how many events were new, or what failed (nothing stored then).
  using IngestDone = std::function<void(size_t fresh, std::exception_ptr error)>;
  /// As ingest(), without waiting: `done` is called once the events are
  /// committed, on the journal's thread (keep it short), or at once when
  /// there is nothing to store. Throws when the journal stops.
  void ingestAsync(const std::string& source, nlohmann::json events, IngestDone done);

  /// Told of every committed event, in order, on the journal's thread: keep
  /// it short. Returns an id for unsubscribe.
  int subscribe(Listener listener);
  void unsubscribe(int id);

  const std::vector<std::string>& dispositions() const noexcept { return options_.dispositions; }
  const std::vector<std::string>& callerIds() const noexcept { return options_.callerIds; }

  /// Waits until reactions queued so far (ending bridges) have run (tests).
  void drainReactions();

 private:
  const ProviderProxy& provider() const;
  int64_t now() const;
  CallRecord findOrThrow(const std::string& reference);
  std::string chooseCallerId(const std::string& requested) const;
  void reconcileActive(const std::string& agentId);
  /// Commits a host event on a call: `mutate` changes the record (it may
  /// also apply `asEvent` through the state machine).
  CallRecord commitHost(const std::string& callId, const std::string& type, nlohmann::json payload,
                        const std::function<Transition(CallRecord&)>& mutate);
  void onCommitted(const std::vector<CommittedEvent>& events);
  void react(std::function<void()> task);
  void reactionLoop();
  /// Asks the provider to end the call's legs and bridge: {already gone at
  /// the provider, what went wrong (empty: done)}.
  std::pair<bool, std::string> hangUp(const CallRecord& call);
  void endBridge(const std::string& callId, const std::string& reason);
  /// Hangs up provider legs that belong to no live call (each leg once).
  void hangUpOrphans(const std::vector<sdk::CallRef>& legs);
  /// Hangs up the contacts left alone past agentJoinTimeoutS (reaction
  /// thread): never joined by an agent, or left by an agent who did not come
  /// back (a page that reloaded, crashed or lost its network).
  void sweepAbandoned();
  void abandon(const CallRecord& call);
  void endAfterAgentLeft(const CallRecord& call);
  void countRejected(const std::string& source, size_t rejected);

  CallRepository& calls_;
  ContactService& contacts_;
  Metrics& metrics_;
  CallServiceOptions options_;
  std::unique_ptr<CallJournal> journal_;

  mutable std::mutex providerMutex_;
  const ProviderProxy* provider_ = nullptr;
  std::string providerProblem_ = "no provider is active";

  std::mutex listenersMutex_;
  std::map<int, Listener> listeners_;
  int nextListener_ = 1;

  std::mutex reactionMutex_;
  std::condition_variable reactionWake_;
  std::condition_variable reactionIdle_;
  std::deque<std::function<void()>> reactions_;
  bool reactionBusy_ = false;
  static constexpr size_t kRememberedOrphans = 10000;
  std::set<std::string> orphansHungUp_;  ///< provider leg ids, under reactionMutex_
  std::deque<std::string> orphanOrder_;
  bool stopping_ = false;
  std::thread reactionThread_;

  Counter& initiated_;
  Counter& attempted_;
  Counter& established_;
  Counter& ingested_;
  Counter& duplicates_;
};

}  // namespace sb::core

#pragma once

#include <switchboard/core/calls/CallLedger.h>
#include <switchboard/core/calls/ProviderSlot.h>
#include <switchboard/core/storage/LeaseRepository.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sb::core {

struct BridgeReaperOptions {
  /// An answered contact whose agent has not joined after this long is hung
  /// up (abandoned, product §2.4); an agent whose browser leg dropped has as
  /// long to come back before the call is ended. 0 turns both off.
  int64_t agentJoinTimeoutS = 15;
  std::chrono::milliseconds sweepEvery{1000};
  /// See CallServiceOptions::sweepLeases.
  LeaseRepository* leases = nullptr;
  std::chrono::milliseconds leaseTtl{5000};
  /// Every live call older than this is checked with the provider this
  /// often, and closed when the provider reports it over (its end webhook
  /// was lost). 0 turns the checks off.
  std::chrono::seconds statusCheckEvery{60};
  /// Provider status requests at most per pass (one pass each sweep).
  int statusChecksPerPass = 20;
};

/// Ends what must not be left alone, on its own thread so that neither a
/// webhook nor the journal waits on the provider: the bridge of a call whose
/// contact hung up or whose agent left for good, a contact answered with no
/// agent (abandoned), provider legs that belong to no live call, and live
/// calls whose end we never heard of (periodic status checks).
/// THREADING: thread-safe.
class BridgeReaper {
 public:
  BridgeReaper(CallLedger& ledger, const ProviderSlot& provider, BridgeReaperOptions options);
  ~BridgeReaper();
  BridgeReaper(const BridgeReaper&) = delete;
  BridgeReaper& operator=(const BridgeReaper&) = delete;

  /// Queues the bridge ends that committed events ask for (journal thread:
  /// only queues).
  void onCommitted(const std::vector<CommittedEvent>& events);
  /// Hangs up provider legs that belong to no live call (each leg once).
  void hangUpOrphans(const std::vector<sdk::CallRef>& legs);
  /// Waits until the work queued so far has run (tests).
  void drain();
  /// True while this host holds the sweep's lease (or needs none).
  bool sweeps() const noexcept { return sweeping_.load(); }
  /// Stops the thread (queued work is dropped; later work only queues).
  /// Before the journal stops: the thread writes through it.
  void stop();

 private:
  void react(std::function<void()> task);
  void loop();
  /// Asks the provider to end the call's legs and bridge: {already gone at
  /// the provider, what went wrong (empty: done)}.
  std::pair<bool, std::string> hangUp(const CallRecord& call);
  void endBridge(const std::string& callId, const std::string& reason);
  /// The sweep, under the lease: abandoned calls, then status checks.
  void sweep();
  void sweepAbandoned();
  /// Asks the provider about live calls not checked for statusCheckEvery.
  void checkStatuses();
  /// Takes or renews the sweep's lease: true when this host is to sweep.
  bool holdSweepLease();
  /// Mid-sweep: renews the lease once half of it is gone.
  bool keepSweepLease();
  void abandon(const CallRecord& call);
  void endAfterAgentLeft(const CallRecord& call);

  CallLedger& ledger_;
  const ProviderSlot& provider_;
  BridgeReaperOptions options_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> tasks_;
  bool busy_ = false;
  bool stopping_ = false;
  static constexpr size_t kRememberedOrphans = 10000;
  std::set<std::string> orphansHungUp_;  ///< provider leg ids, under mutex_
  std::deque<std::string> orphanOrder_;
  std::string leaseHolder_;  ///< this reaper's name in the leases table
  std::atomic<bool> sweeping_{false};
  std::chrono::steady_clock::time_point leaseRenewedAt_;  ///< reaction thread only
  /// When each live call was last checked with the provider (reaction
  /// thread only). Per host: a host that takes the lease over checks its
  /// calls once more, which is harmless.
  std::unordered_map<std::string, int64_t> statusCheckedAt_;
  std::chrono::steady_clock::time_point nextStatusPass_;  ///< reaction thread only
  std::thread thread_;
};

}  // namespace sb::core

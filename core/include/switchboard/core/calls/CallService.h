#pragma once

#include <switchboard/core/calls/BridgeReaper.h>
#include <switchboard/core/calls/CallCommands.h>
#include <switchboard/core/calls/CallEventBus.h>
#include <switchboard/core/calls/CallIngest.h>
#include <switchboard/core/calls/CallJournal.h>
#include <switchboard/core/calls/CallLedger.h>
#include <switchboard/core/calls/CallOptions.h>
#include <switchboard/core/calls/CallQueries.h>
#include <switchboard/core/calls/CallRepository.h>
#include <switchboard/core/calls/ClusterEventFeed.h>
#include <switchboard/core/calls/ProviderSlot.h>
#include <switchboard/core/contacts/ContactService.h>
#include <switchboard/core/metrics/Metrics.h>
#include <switchboard/core/plugin/ProviderProxy.h>

#include <memory>
#include <string>
#include <vector>

namespace sb::core {

/// The dialing core, put together: one journal (the single writer) and the
/// flows that share it, each its own object:
/// - commands(): what agents do to calls (place, join, mute, hold, end, log);
/// - ingest(): what providers report (a webhook's events);
/// - queries(): reads;
/// - bus(): every committed event, in order, for live pages (when hosts
///   share the database, every host's: a ClusterEventFeed publishes them);
/// and a BridgeReaper that ends what must not be left alone.
/// Owns them and wires the journal's commits to the bus, the reaper and the
/// call metrics. Routes take the flow they need.
/// THREADING: thread-safe.
class CallService {
 public:
  CallService(CallRepository& calls, ContactService& contacts, Metrics& metrics, CallServiceOptions options);
  ~CallService();
  CallService(const CallService&) = delete;
  CallService& operator=(const CallService&) = delete;

  /// The provider calls go to (nullptr: calls fail with 503 and `problem`).
  void setProvider(const ProviderProxy* provider, std::string problem = {});
  const ProviderSlot& provider() const noexcept { return provider_; }

  CallCommands& commands() noexcept { return *commands_; }
  CallIngest& ingest() noexcept { return *ingest_; }
  CallQueries& queries() noexcept { return *queries_; }
  CallEventBus& bus() noexcept { return bus_; }

  /// Waits until the reaper's queued work (ending bridges) has run (tests).
  void drainReactions() { reaper_->drain(); }

 private:
  /// The journal's listener: metrics, the reaper, then the bus.
  void onCommitted(const std::vector<CommittedEvent>& events);

  CallServiceOptions options_;
  Metrics& metrics_;
  ProviderSlot provider_;
  CallEventBus bus_;
  std::unique_ptr<CallJournal> journal_;
  std::unique_ptr<CallLedger> ledger_;
  std::unique_ptr<BridgeReaper> reaper_;
  std::unique_ptr<CallCommands> commands_;
  std::unique_ptr<CallIngest> ingest_;
  std::unique_ptr<CallQueries> queries_;
  Counter& established_;
  std::unique_ptr<ClusterEventFeed> feed_;  ///< when other hosts write too; after the journal: stops first
};

}  // namespace sb::core

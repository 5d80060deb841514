#pragma once

#include <switchboard/core/calls/BridgeReaper.h>
#include <switchboard/core/calls/CallLedger.h>
#include <switchboard/core/metrics/Metrics.h>

#include <nlohmann/json.hpp>

#include <exception>
#include <functional>
#include <string>

namespace sb::core {

/// Stores what providers report (a webhook's canonical events): each event
/// checked against the SDK's schema at the door, stored once (the
/// provider's event key), applied to its call by the CallStateMachine; legs
/// of no live call are handed to the BridgeReaper.
/// THREADING: thread-safe.
class CallIngest {
 public:
  CallIngest(CallLedger& ledger, BridgeReaper& reaper, Metrics& metrics, bool agentMayRejoin);

  /// Applies a webhook's events (JSON array from the plugin) and waits
  /// until they are committed. Returns how many were new.
  size_t ingest(const std::string& source, const nlohmann::json& events);

  /// Told how many events were new, or what failed (nothing stored then).
  using Done = std::function<void(size_t fresh, std::exception_ptr error)>;
  /// As ingest(), without waiting: `done` is called once the events are
  /// committed, on the journal's thread (keep it short), or at once when
  /// there is nothing to store. Throws when the journal stops.
  void ingestAsync(const std::string& source, nlohmann::json events, Done done);

 private:
  void countRejected(const std::string& source, size_t rejected);

  CallLedger& ledger_;
  BridgeReaper& reaper_;
  Metrics& metrics_;
  /// An agent whose browser leg drops may come back (a reload) within
  /// calls.agent_join_timeout_s: the bridge is not ended at once.
  bool agentMayRejoin_;
  Counter& ingested_;
  Counter& duplicates_;
};

}  // namespace sb::core

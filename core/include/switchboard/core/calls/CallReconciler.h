#pragma once

#include <switchboard/core/calls/CallLedger.h>
#include <switchboard/core/calls/ProviderSlot.h>

#include <string>

namespace sb::core {

/// Closes a call whose end we never heard of (a lost webhook): asks the
/// provider for the call's status and, when the provider reports it over or
/// no longer knows it, ends the record ("call.reconciled"). Used when an
/// agent with a live call places another, and by the periodic status checks
/// (BridgeReaper).
/// THREADING: thread-safe.
class CallReconciler {
 public:
  CallReconciler(CallLedger& ledger, const ProviderSlot& provider) : ledger_(ledger), provider_(provider) {}

  enum class Verdict {
    Live,     ///< the provider has the call going
    Closed,   ///< the provider reports it over; the record is ended now
    Placing,  ///< not asked: the call is still being placed (no provider id yet)
    Unknown,  ///< not asked or no answer (see `problem`)
  };

  /// How long after it was created a call with no provider id yet counts as
  /// being placed: longer than any provider's create-call timeout. Asked
  /// about sooner, the provider would say "not found", and a racing request
  /// would close the agent's new call and place a second one.
  static constexpr int64_t kPlacingGraceMs = 60'000;

  /// Asks about `call` and acts on the answer. `problem` (optional) gets
  /// the provider's error when the verdict is Unknown.
  Verdict check(const CallRecord& call, std::string* problem = nullptr);

 private:
  CallLedger& ledger_;
  const ProviderSlot& provider_;
};

}  // namespace sb::core

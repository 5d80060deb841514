#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sb::core {

class LeaseRepository;

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
  /// When set, only the host that holds the lease "abandoned-call-sweep"
  /// sweeps (hosts that share the database take turns, and one that dies
  /// hands over once its lease lapses after sweepLeaseTtl). Null: this host
  /// sweeps alone. Not owned.
  LeaseRepository* sweepLeases = nullptr;
  std::chrono::milliseconds sweepLeaseTtl{5000};
  /// Every live call is checked with the provider this often (under the
  /// sweep's lease) and closed when the provider reports it over: its end
  /// webhook was lost. 0 turns the checks off.
  std::chrono::seconds statusCheckEvery{60};
  int64_t credentialTtlS = 3600;
  std::string conferencePrefix = "COLD_CALL_";
  size_t journalBatch = 256;
  std::chrono::microseconds journalLinger{200};  ///< see CallJournal::setLinger
  size_t journalLingerBelow = 16;
  std::function<int64_t()> clockMs;  ///< Unix ms; defaults to the system clock

  static const std::vector<std::string>& defaultDispositions();
};

}  // namespace sb::core

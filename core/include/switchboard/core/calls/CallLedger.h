#pragma once

#include <switchboard/core/calls/CallJournal.h>
#include <switchboard/core/calls/CallStateMachine.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace sb::core {

class DomainError;

/// What the call flows share: reads from the repository, every write
/// through the journal, the clock, and the host's own events (what the host
/// did to a call, committed with the record they change).
/// THREADING: thread-safe.
class CallLedger {
 public:
  using Clock = std::function<int64_t()>;  ///< Unix ms

  CallLedger(CallRepository& calls, CallJournal& journal, Clock clock);

  int64_t now() const { return clock_(); }
  /// Reads (writes go through journal()).
  CallRepository& repository() noexcept { return calls_; }
  CallJournal& journal() noexcept { return journal_; }

  /// The call an id, provider id or conference name names; DomainError
  /// NotFound (Subject::Call) otherwise.
  CallRecord findOrThrow(const std::string& reference);

  /// Commits a host event on a call: `mutate` changes the record (it may
  /// apply an event through the state machine). Returns the record after.
  CallRecord commitHost(const std::string& callId, const std::string& type, nlohmann::json payload,
                        const std::function<Transition(CallRecord&)>& mutate);

  /// A host event (source "host") on `call`, not yet stored.
  static StoredEvent hostEvent(const CallRecord& call, const std::string& type, int64_t at, nlohmann::json payload);
  /// A random id: prefix + 2*bytes hex digits.
  static std::string newId(const char* prefix, size_t bytes);

  static DomainError callNotFound(const std::string& reference);
  static DomainError callEnded(const CallRecord& call);

 private:
  CallRepository& calls_;
  CallJournal& journal_;
  Clock clock_;
};

}  // namespace sb::core

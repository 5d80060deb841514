#pragma once

#include <switchboard/core/calls/BridgeReaper.h>
#include <switchboard/core/calls/CallLedger.h>
#include <switchboard/core/calls/CallOptions.h>
#include <switchboard/core/calls/ProviderSlot.h>
#include <switchboard/core/contacts/ContactService.h>
#include <switchboard/core/metrics/Metrics.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sb::core {

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

/// What agents and integrations do to calls: place one (the do-not-call
/// list, one active call per agent, the caller-ID rule, calls.max_active),
/// join its bridge from the browser, mute or hold a leg, end it, log its
/// outcome. Each command talks to the provider and records what happened
/// through the journal.
/// THREADING: thread-safe.
class CallCommands {
 public:
  CallCommands(CallLedger& ledger, const ProviderSlot& provider, ContactService& contacts, BridgeReaper& reaper,
               Metrics& metrics, const CallServiceOptions& options);

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
  CallRecord logOutcome(const std::string& id, const std::optional<std::string>& outcome,
                        const std::optional<std::string>& notes, const std::string& by);

  const std::vector<std::string>& dispositions() const noexcept { return options_.dispositions; }
  const std::vector<std::string>& callerIds() const noexcept { return options_.callerIds; }

 private:
  std::string chooseCallerId(const std::string& requested) const;
  /// Refuses a second call for a named agent, unless the provider says the
  /// agent's active call is over (a lost webhook): that one is closed.
  void reconcileActive(const std::string& agentId);

  CallLedger& ledger_;
  const ProviderSlot& provider_;
  ContactService& contacts_;
  BridgeReaper& reaper_;
  const CallServiceOptions& options_;
  Counter& initiated_;
  Counter& attempted_;
};

}  // namespace sb::core

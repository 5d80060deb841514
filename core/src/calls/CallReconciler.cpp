#include <switchboard/core/calls/CallReconciler.h>

#include <switchboard/core/calls/CallStateMachine.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/ProviderError.h>

namespace sb::core {

CallReconciler::Verdict CallReconciler::check(const CallRecord& call, std::string* problem) {
  if (call.providerCallId.empty() && ledger_.now() - call.createdAt < kPlacingGraceMs) {
    return Verdict::Placing;
  }
  std::string providerStatus;
  try {
    const sdk::CallRef ref{call.id, call.conferenceName, call.conferenceId, call.providerCallId, call.agentLegId};
    providerStatus = provider_.get().callStatus(ref).status;
    if (!call_status::isFinal(providerStatus)) {
      return Verdict::Live;
    }
  } catch (const ProviderError& e) {
    if (e.status() != sdk::Status::NotFound) {
      if (problem != nullptr) *problem = e.what();
      return Verdict::Unknown;
    }
    providerStatus = "not-found";
  }
  logger("calls")->info("call {} had ended at the provider ({}) without our hearing of it; closing it", call.id,
                        providerStatus);
  ledger_.commitHost(
      call.id, "call.reconciled",
      {{"reason", "the provider reports the call over (" + providerStatus + "); its end was never heard"},
       {"provider_status", providerStatus}},
      [this](CallRecord& c) { return CallStateMachine::endByHost(c, ledger_.now(), "reconciled"); });
  return Verdict::Closed;
}

}  // namespace sb::core

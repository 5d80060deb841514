#include <switchboard/core/calls/CallLedger.h>

#include <switchboard/core/DomainError.h>
#include <switchboard/core/crypto/Crypto.h>

namespace sb::core {

CallLedger::CallLedger(CallRepository& calls, CallJournal& journal, Clock clock)
    : calls_(calls), journal_(journal), clock_(std::move(clock)) {}

std::string CallLedger::newId(const char* prefix, size_t bytes) {
  return prefix + crypto::toHex(crypto::randomBytes(bytes));
}

DomainError CallLedger::callNotFound(const std::string& reference) {
  return DomainError(DomainError::Kind::NotFound, "no call or conference '" + reference + "'", {{"call_id", reference}},
                     DomainError::Subject::Call);
}

DomainError CallLedger::callEnded(const CallRecord& call) {
  return DomainError(DomainError::Kind::NotFound, "call '" + call.id + "' has ended (" + call.status + ")",
                     {{"call_id", call.id}, {"status", call.status}}, DomainError::Subject::Call);
}

StoredEvent CallLedger::hostEvent(const CallRecord& call, const std::string& type, int64_t at, nlohmann::json payload) {
  StoredEvent e;
  e.callId = call.id;
  e.source = "host";
  e.eventKey = newId("h", 8);
  e.type = type;
  e.occurredAt = at;
  e.receivedAt = at;
  e.payload = std::move(payload);
  if (auto it = e.payload.find("leg"); it != e.payload.end() && it->is_string()) {
    e.leg = it->get<std::string>();
  }
  return e;
}

CallRecord CallLedger::findOrThrow(const std::string& reference) {
  if (auto call = calls_.findByReference(reference)) {
    return *call;
  }
  throw callNotFound(reference);
}

CallRecord CallLedger::commitHost(const std::string& callId, const std::string& type, nlohmann::json payload,
                                  const std::function<Transition(CallRecord&)>& mutate) {
  CallRecord result;
  journal_.run([&](CallRepository& repo, std::vector<CommittedEvent>& published) {
    auto call = repo.find(callId);
    if (!call) {
      throw callNotFound(callId);
    }
    const CallRecord before = *call;
    const Transition t = mutate ? mutate(*call) : Transition{};
    if (t.changed) {
      repo.save(before, *call);
    }
    const bool endedNow = !before.ended() && call->ended();
    if (endedNow && call->contactId) {
      repo.markContactCallEnded(*call->contactId, now());
    }
    StoredEvent event = hostEvent(*call, type, now(), std::move(payload));
    event.seq = repo.appendEvent(event);
    published.push_back({event, *call, endedNow, {}});
    result = *call;
  });
  return result;
}

}  // namespace sb::core

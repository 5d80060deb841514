#include <switchboard/core/calls/CallCommands.h>

#include <switchboard/core/DomainError.h>
#include <switchboard/core/calls/CallReconciler.h>
#include <switchboard/core/calls/CallStateMachine.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/log/Redact.h>
#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/text/Time.h>

#include <algorithm>
#include <regex>

namespace sb::core {
namespace {

bool isE164(const std::string& phone) {
  static const std::regex kE164(R"(\+[1-9]\d{1,14})");
  return std::regex_match(phone, kE164);
}

}  // namespace

CallCommands::CallCommands(CallLedger& ledger, const ProviderSlot& provider, ContactService& contacts,
                           BridgeReaper& reaper, Metrics& metrics, const CallServiceOptions& options)
    : ledger_(ledger),
      provider_(provider),
      contacts_(contacts),
      reaper_(reaper),
      options_(options),
      initiated_(metrics.counter("switchboard_calls_initiated_total", "Calls placed with the provider")),
      attempted_(metrics.counter("switchboard_agent_connections_attempted_total",
                                 "Browser credentials issued for an agent to join a call")) {}

std::string CallCommands::chooseCallerId(const std::string& requested) const {
  if (!requested.empty() &&
      std::find(options_.callerIds.begin(), options_.callerIds.end(), requested) != options_.callerIds.end()) {
    return requested;
  }
  return options_.callerIds.empty() ? std::string() : options_.callerIds.front();
}

void CallCommands::reconcileActive(const std::string& agentId) {
  auto active = ledger_.repository().activeFor(agentId);
  if (!active) {
    return;
  }
  // A call whose end we never heard of (a lost webhook) must not block the
  // agent forever: ask the provider before refusing.
  if (CallReconciler(ledger_, provider_).check(*active) != CallReconciler::Verdict::Closed) {
    throw DomainError(
        DomainError::Kind::AgentBusy, "agent '" + agentId + "' is already on call '" + active->id + "'; end it first",
        {{"agent_id", agentId}, {"call_id", active->id}, {"status", active->status}}, DomainError::Subject::Call);
  }
}

CallRecord CallCommands::start(const StartCallCommand& command) {
  std::string to = command.to;
  if (command.agentId.empty()) {
    throw DomainError(DomainError::Kind::Validation, "an agent id is required to place a call");
  }
  std::string contactName;
  std::string contactCompany;
  if (command.contactId) {
    const Contact contact = contacts_.contact(*command.contactId);
    if (to.empty()) {
      to = contact.phoneE164;
    }
    contactName = contact.name;
    contactCompany = contact.company;
  }
  if (!isE164(to)) {
    throw DomainError(DomainError::Kind::Validation, "phone number '" + to + "' is not in E.164 format",
                      {{"field", "to"}, {"phone", to}}, DomainError::Subject::PhoneNumber);
  }
  if (contacts_.isDoNotCall(to)) {
    throw DomainError(DomainError::Kind::DncBlocked,
                      "the number " + maskPhoneNumbers(to) + " is on the do-not-call list", {{"phone", to}},
                      DomainError::Subject::PhoneNumber);
  }
  if (command.agentNamed) {
    reconcileActive(command.agentId);
  }

  CallRecord call;
  call.id = CallLedger::newId("call_", 12);
  call.contactId = command.contactId;
  call.contactName = contactName;
  call.contactCompany = contactCompany;
  call.agentId = command.agentId;
  call.agentNamed = command.agentNamed;
  call.provider = provider_.get().id();
  call.toE164 = to;
  call.fromE164 = chooseCallerId(command.from);
  call.createdAt = ledger_.now();
  call.conferenceName =
      options_.conferencePrefix + formatUtc(call.createdAt / 1000, "%Y-%m-%d") + "_" + call.id.substr(5);
  call.sessionId = CallLedger::newId("sess_", 16);
  ledger_.journal().run([&](CallRepository& repo, std::vector<CommittedEvent>& published) {
    // Counted in the same transaction as the insert: on SQLite the journal
    // is the only writer, so two placements cannot both take the last slot.
    if (const int64_t live = repo.activeCount(); live >= options_.maxActive) {
      throw DomainError(DomainError::Kind::AtCapacity,
                        std::to_string(live) +
                            " calls are in progress, the most calls.max_active allows; retry when "
                            "one ends",
                        {{"active", live}, {"max_active", options_.maxActive}});
    }
    repo.insert(call);
    if (call.contactId) {
      repo.markContactDialed(*call.contactId, call.createdAt);
    }
    StoredEvent event = CallLedger::hostEvent(call, "call.created", call.createdAt,
                                              {{"to", maskPhoneNumbers(call.toE164)}, {"from", call.fromE164}});
    event.seq = repo.appendEvent(event);
    published.push_back({event, call, false, {}});
  });

  sdk::StartCallRequest request;
  request.callId = call.id;
  request.agentId = call.agentId;
  request.to = call.toE164;
  request.from = call.fromE164;
  request.conferenceName = call.conferenceName;
  request.ringTimeoutS = options_.ringTimeoutS;
  sdk::StartCallResult placed;
  try {
    placed = provider_.get().startCall(request);
  } catch (const ProviderError& e) {
    const CallRecord failed = ledger_.commitHost(
        call.id, "call.failed", {{"error", e.what()}, {"status", std::string(sdk::statusName(e.status()))}},
        [this, &e](CallRecord& c) {
          return CallStateMachine::failPlacing(c, ledger_.now(),
                                               std::string("provider-error: ") + sdk::statusName(e.status()).data());
        });
    if (!failed.providerCallId.empty()) {
      // Its answer was lost, but the provider placed it and told us so
      // (the leg's events came first): hang the leg up.
      reaper_.hangUpOrphans({{failed.id, failed.conferenceName, failed.conferenceId, failed.providerCallId, ""}});
    }
    throw;
  }
  initiated_.inc();
  return ledger_.commitHost(call.id, "call.placed",
                            {{"provider_call_id", placed.providerCallId}, {"conference_id", placed.conferenceId}},
                            [&placed](CallRecord& c) {
                              Transition t;
                              if (c.providerCallId.empty()) {
                                c.providerCallId = placed.providerCallId;
                                t.changed = true;
                              }
                              if (c.conferenceId.empty() && !placed.conferenceId.empty()) {
                                c.conferenceId = placed.conferenceId;
                                t.changed = true;
                              }
                              return t;
                            });
}

JoinResult CallCommands::join(const std::string& reference, const std::string& agentId, bool refresh) {
  const CallRecord call = ledger_.findOrThrow(reference);
  if (call.ended()) {
    throw CallLedger::callEnded(call);
  }
  sdk::ClientCredentialRequest request;
  request.callId = call.id;
  request.agentId = agentId.empty() ? call.agentId : agentId;
  request.sessionId = call.sessionId;
  request.conferenceName = call.conferenceName;
  request.from = call.fromE164;
  request.ttlS = options_.credentialTtlS;
  JoinResult result;
  result.credential = provider_.get().issueClientCredential(request);
  if (refresh) {
    result.call = call;
    return result;
  }
  attempted_.inc();
  result.call = ledger_.commitHost(call.id, CallStateMachine::kAgentConnecting,
                                   {{"leg", "agent"}, {"identity", request.agentId}}, [this](CallRecord& c) {
                                     sdk::CallEvent event;
                                     event.eventKey = "connecting";
                                     event.type = CallStateMachine::kAgentConnecting;
                                     event.leg = sdk::leg::kAgent;
                                     event.occurredAtMs = ledger_.now();
                                     return CallStateMachine::apply(c, event);
                                   });
  return result;
}

ControlResult CallCommands::control(const std::string& reference, const std::string& participant,
                                    std::optional<bool> muted, std::optional<bool> held) {
  const CallRecord call = ledger_.findOrThrow(reference);
  if (call.ended()) {
    throw CallLedger::callEnded(call);
  }
  std::string leg;
  if (participant == sdk::leg::kContact || (!call.providerCallId.empty() && participant == call.providerCallId)) {
    leg = sdk::leg::kContact;
  } else if (participant == sdk::leg::kAgent || participant == call.sessionId ||
             (!call.agentLegId.empty() && participant == call.agentLegId)) {
    leg = sdk::leg::kAgent;
  } else if (participant.empty()) {
    leg = held && !muted ? sdk::leg::kContact : sdk::leg::kAgent;
  } else {
    throw DomainError(DomainError::Kind::NotFound,
                      "participant '" + participant + "' is not in conference '" + reference + "'",
                      {{"participant", participant}, {"call_id", reference}}, DomainError::Subject::Participant);
  }
  sdk::ParticipantUpdateRequest request;
  request.call = {call.id, call.conferenceName, call.conferenceId, call.providerCallId, call.agentLegId};
  request.leg = leg;
  request.muted = muted;
  request.held = held;
  sdk::LegSnapshot snapshot;
  try {
    snapshot = provider_.get().updateParticipant(request);
  } catch (const ProviderError& e) {
    if (e.status() == sdk::Status::NotFound) {
      throw DomainError(DomainError::Kind::NotFound, e.what(),
                        {{"participant", participant.empty() ? leg : participant}, {"call_id", reference}},
                        DomainError::Subject::Participant);
    }
    throw;
  }
  nlohmann::json payload = {{"leg", leg}};
  if (muted) payload["muted"] = *muted;
  if (held) payload["held"] = *held;
  ControlResult result;
  result.call = ledger_.commitHost(call.id, muted ? "control.mute" : "control.hold", payload, [&](CallRecord& c) {
    Transition t;
    const int64_t at = ledger_.now();
    // The provider's answer is the state now; its webhook confirms it later.
    for (const bool isMute : {true, false}) {
      if (isMute ? !muted : !held) continue;
      sdk::CallEvent event;
      event.eventKey = CallLedger::newId("ctl", 6);
      event.type = isMute ? sdk::event::kParticipantMuted : sdk::event::kParticipantHeld;
      event.leg = leg;
      // The provider's answer is newer than anything applied so far, even
      // a confirmation stamped in this same millisecond.
      const std::string attribute = leg + (isMute ? ".muted" : ".held");
      int64_t occurred = at;
      if (auto it = c.clocks.find(attribute); it != c.clocks.end() && it->is_array() && !it->empty()) {
        occurred = std::max(occurred, (*it)[0].get<int64_t>() + 1);
      }
      event.occurredAtMs = occurred;
      if (isMute) {
        event.muted = snapshot.muted;
      } else {
        event.held = snapshot.held;
      }
      t.changed |= CallStateMachine::apply(c, event).changed;
    }
    return t;
  });
  result.leg = leg;
  result.participantId = result.call.participantId(leg);
  if (result.participantId.empty()) {
    result.participantId = leg;
  }
  result.muted = leg == sdk::leg::kContact ? result.call.contactMuted : result.call.agentMuted;
  result.held = leg == sdk::leg::kContact ? result.call.contactHeld : result.call.agentHeld;
  return result;
}

EndResult CallCommands::end(const std::string& reference) {
  const CallRecord call = ledger_.findOrThrow(reference);
  static constexpr const char* kCause = "ended-by-agent";
  if (!call.ended()) {
    // Recorded before the provider hears of it: its hang-up webhook can be
    // committed before our own write below, and the call must still read
    // as ended by the agent, at the moment the agent pressed End.
    ledger_.commitHost(call.id, "call.end_requested", {{"by", "agent"}},
                       [this](CallRecord& c) { return CallStateMachine::markEnding(c, ledger_.now(), kCause); });
  }
  EndResult result;
  bool providerAlreadyEnded = false;
  try {
    const sdk::EndCallResult ended = provider_.get().endCall(
        {call.id, call.conferenceName, call.conferenceId, call.providerCallId, call.agentLegId});
    providerAlreadyEnded = ended.alreadyEnded;
  } catch (const ProviderError& e) {
    // The provider no longer knows the call: it is over there.
    if (e.status() != sdk::Status::NotFound) {
      if (!call.ended()) {
        ledger_.commitHost(call.id, "call.end_failed", {{"error", e.what()}},
                           [](CallRecord& c) { return CallStateMachine::clearEnding(c); });
      }
      throw;
    }
    providerAlreadyEnded = true;
  }
  result.alreadyEnded = call.ended() && providerAlreadyEnded;
  if (result.alreadyEnded) {
    result.call = call;
    return result;
  }
  result.call =
      ledger_.commitHost(call.id, "call.end_confirmed", {{"already_ended_at_provider", providerAlreadyEnded}},
                         [this](CallRecord& c) { return CallStateMachine::endByHost(c, ledger_.now(), kCause); });
  return result;
}

CallRecord CallCommands::logOutcome(const std::string& id, const std::optional<std::string>& outcome,
                                    const std::optional<std::string>& notes, const std::string& by) {
  if (!outcome && !notes) {
    throw DomainError(DomainError::Kind::Validation, "send 'outcome' and/or 'notes'");
  }
  if (outcome &&
      std::find(options_.dispositions.begin(), options_.dispositions.end(), *outcome) == options_.dispositions.end()) {
    throw DomainError(DomainError::Kind::Validation, "unknown outcome '" + *outcome + "'",
                      {{"field", "outcome"}, {"allowed", options_.dispositions}});
  }
  constexpr size_t kMaxNotes = 10000;
  if (notes && notes->size() > kMaxNotes) {
    throw DomainError(DomainError::Kind::Validation, "notes are limited to 10000 bytes", {{"field", "notes"}});
  }
  const CallRecord existing = ledger_.findOrThrow(id);
  nlohmann::json payload = nlohmann::json::object();
  if (outcome) payload["outcome"] = *outcome;
  if (notes) payload["notes_length"] = notes->size();
  CallRecord updated;
  ledger_.journal().run([&](CallRepository& repo, std::vector<CommittedEvent>& published) {
    auto call = repo.find(existing.id);
    if (!call) throw CallLedger::callNotFound(id);
    const CallRecord before = *call;
    if (outcome) call->outcome = *outcome;
    if (notes) call->notes = *notes;
    call->outcomeAt = ledger_.now();
    call->outcomeBy = by;
    repo.save(before, *call);
    if (call->contactId) {
      repo.markContactOutcome(*call->contactId, call->outcome.value_or(""), call->notes, ledger_.now());
    }
    StoredEvent event = CallLedger::hostEvent(*call, "outcome.logged", ledger_.now(), payload);
    event.seq = repo.appendEvent(event);
    published.push_back({event, *call, false, {}});
    updated = *call;
  });
  if (outcome && *outcome == "do_not_call") {
    contacts_.addDoNotCall(updated.toE164, "outcome of call " + updated.id, by);
  }
  return updated;
}

}  // namespace sb::core

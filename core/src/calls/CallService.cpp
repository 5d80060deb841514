#include <switchboard/core/calls/CallService.h>

#include <switchboard/core/DomainError.h>
#include <switchboard/core/calls/CallStateMachine.h>
#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/log/Redact.h>
#include <switchboard/core/plugin/EventCheck.h>
#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/text/Time.h>

#include <algorithm>
#include <chrono>
#include <regex>

#include <pthread.h>

namespace sb::core {
namespace {

constexpr const char* kHost = "host";

bool isE164(const std::string& phone) {
  static const std::regex kE164(R"(\+[1-9]\d{1,14})");
  return std::regex_match(phone, kE164);
}

std::string newId(const char* prefix, size_t bytes) {
  return prefix + crypto::toHex(crypto::randomBytes(bytes));
}

DomainError callNotFound(const std::string& reference) {
  return DomainError(DomainError::Kind::NotFound, "no call or conference '" + reference + "'",
                     {{"resource", "call"}, {"conference_sid", reference}});
}

DomainError callEnded(const CallRecord& call) {
  return DomainError(DomainError::Kind::NotFound, "call '" + call.id + "' has ended (" + call.status + ")",
                     {{"resource", "call"}, {"conference_sid", call.id}, {"status", call.status}});
}

StoredEvent hostEvent(const CallRecord& call, const std::string& type, int64_t at, nlohmann::json payload) {
  StoredEvent e;
  e.callId = call.id;
  e.source = kHost;
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

}  // namespace

const std::vector<std::string>& CallServiceOptions::defaultDispositions() {
  static const std::vector<std::string> kDefaults = {"connected_interested",
                                                     "connected_not_interested",
                                                     "meeting_booked",
                                                     "callback_requested",
                                                     "no_answer",
                                                     "voicemail_left",
                                                     "busy",
                                                     "wrong_number",
                                                     "gatekeeper",
                                                     "do_not_call"};
  return kDefaults;
}

CallService::CallService(CallRepository& calls, ContactService& contacts, Metrics& metrics, CallServiceOptions options)
    : calls_(calls),
      contacts_(contacts),
      metrics_(metrics),
      options_(std::move(options)),
      initiated_(metrics.counter("switchboard_calls_initiated_total", "Calls placed with the provider")),
      attempted_(metrics.counter("switchboard_agent_connections_attempted_total",
                                 "Browser credentials issued for an agent to join a call")),
      established_(metrics.counter("switchboard_agent_connections_established_total",
                                   "Agents whose browser leg joined the call's bridge")),
      ingested_(metrics.counter("switchboard_call_events_total", "Provider call events stored")),
      duplicates_(
          metrics.counter("switchboard_call_events_duplicate_total", "Provider call events dropped as redeliveries")) {
  if (options_.dispositions.empty()) {
    options_.dispositions = CallServiceOptions::defaultDispositions();
  }
  if (!options_.clockMs) {
    options_.clockMs = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  journal_ = std::make_unique<CallJournal>(calls_, options_.journalBatch);
  journal_->setLinger(options_.journalLinger, options_.journalLingerBelow);
  journal_->setListener([this](const std::vector<CommittedEvent>& events) { onCommitted(events); });
  Histogram& batchSizes = metrics.histogram("switchboard_journal_batch_jobs",
                                            "Writes committed together by the call journal (group commit)",
                                            {1, 2, 4, 8, 16, 32, 64, 128, 256});
  Histogram& batchSeconds = metrics.histogram("switchboard_journal_commit_seconds",
                                              "Time to run and commit one journal batch", Metrics::latencyBuckets());
  journal_->setBatchObserver([&batchSizes, &batchSeconds](size_t jobs, double seconds) {
    batchSizes.observe(static_cast<double>(jobs));
    batchSeconds.observe(seconds);
  });
  reactionThread_ = std::thread([this] { reactionLoop(); });
}

CallService::~CallService() {
  {
    std::lock_guard lock(reactionMutex_);
    stopping_ = true;
  }
  reactionWake_.notify_all();
  if (reactionThread_.joinable()) {
    reactionThread_.join();
  }
  journal_->stop();
}

void CallService::setProvider(const ProviderProxy* provider, std::string problem) {
  std::lock_guard lock(providerMutex_);
  provider_ = provider;
  providerProblem_ = problem.empty() ? "no provider is active" : std::move(problem);
}

const ProviderProxy& CallService::provider() const {
  std::lock_guard lock(providerMutex_);
  if (provider_ == nullptr) {
    throw ProviderError("none", sdk::Status::Unavailable, providerProblem_);
  }
  return *provider_;
}

int64_t CallService::now() const {
  return options_.clockMs();
}

CallRecord CallService::findOrThrow(const std::string& reference) {
  if (auto call = calls_.findByReference(reference)) {
    return *call;
  }
  throw callNotFound(reference);
}

std::string CallService::chooseCallerId(const std::string& requested) const {
  if (!requested.empty() &&
      std::find(options_.callerIds.begin(), options_.callerIds.end(), requested) != options_.callerIds.end()) {
    return requested;
  }
  return options_.callerIds.empty() ? std::string() : options_.callerIds.front();
}

CallRecord CallService::commitHost(const std::string& callId, const std::string& type, nlohmann::json payload,
                                   const std::function<Transition(CallRecord&)>& mutate) {
  CallRecord result;
  journal_->run([&](CallRepository& repo, std::vector<CommittedEvent>& published) {
    auto call = repo.find(callId);
    if (!call) {
      throw callNotFound(callId);
    }
    const CallRecord before = *call;
    const Transition t = mutate ? mutate(*call) : Transition{};
    if (t.changed) {
      repo.save(before, *call);
    }
    const bool wasEnded = before.ended();
    const bool endedNow = !wasEnded && call->ended();
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

void CallService::reconcileActive(const std::string& agentId) {
  auto active = calls_.activeFor(agentId);
  if (!active) {
    return;
  }
  // A call whose end we never heard of (a lost webhook) must not block the
  // agent forever: ask the provider before refusing. Not while the call is
  // still being placed (no provider id yet): the provider does not know it
  // yet and would say "not found", and a racing request would close the
  // agent's new call and place a second one.
  constexpr int64_t kPlacingGraceMs = 60'000;  // longer than any provider's create-call timeout
  const bool placing = active->providerCallId.empty() && now() - active->createdAt < kPlacingGraceMs;
  bool over = false;
  if (!placing) {
    try {
      sdk::CallRef ref{active->id, active->conferenceName, active->conferenceId, active->providerCallId,
                       active->agentLegId};
      const sdk::CallStatus status = provider().callStatus(ref);
      over = call_status::isFinal(status.status);
    } catch (const ProviderError& e) {
      over = e.status() == sdk::Status::NotFound;
    }
  }
  if (!over) {
    throw DomainError(DomainError::Kind::AgentBusy,
                      "agent '" + agentId + "' is already on call '" + active->id + "'; end it first",
                      {{"agent_id", agentId}, {"call_id", active->id}, {"status", active->status}});
  }
  logger("calls")->info("call {} had ended at the provider without our hearing of it; closing it", active->id);
  commitHost(active->id, "call.reconciled", {{"reason", "provider reports the call over"}},
             [this](CallRecord& c) { return CallStateMachine::endByHost(c, now(), "reconciled"); });
}

CallRecord CallService::start(const StartCallCommand& command) {
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
                      {{"field", "to_phone"}, {"phone", to}});
  }
  if (contacts_.isDoNotCall(to)) {
    throw DomainError(DomainError::Kind::DncBlocked,
                      "the number " + maskPhoneNumbers(to) + " is on the do-not-call list", {{"phone", to}});
  }
  if (command.agentNamed) {
    reconcileActive(command.agentId);
  }

  CallRecord call;
  call.id = newId("call_", 12);
  call.contactId = command.contactId;
  call.contactName = contactName;
  call.contactCompany = contactCompany;
  call.agentId = command.agentId;
  call.agentNamed = command.agentNamed;
  call.provider = provider().id();
  call.toE164 = to;
  call.fromE164 = chooseCallerId(command.from);
  call.createdAt = now();
  call.conferenceName =
      options_.conferencePrefix + formatUtc(call.createdAt / 1000, "%Y-%m-%d") + "_" + call.id.substr(5);
  call.sessionId = newId("sess_", 16);
  journal_->run([&](CallRepository& repo, std::vector<CommittedEvent>& published) {
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
    StoredEvent event = hostEvent(call, "call.created", call.createdAt,
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
    placed = provider().startCall(request);
  } catch (const ProviderError& e) {
    const CallRecord failed =
        commitHost(call.id, "call.failed", {{"error", e.what()}, {"status", std::string(sdk::statusName(e.status()))}},
                   [this, &e](CallRecord& c) {
                     return CallStateMachine::failPlacing(
                         c, now(), std::string("provider-error: ") + sdk::statusName(e.status()).data());
                   });
    if (!failed.providerCallId.empty()) {
      // Its answer was lost, but the provider placed it and told us so
      // (the leg's events came first): hang the leg up.
      hangUpOrphans({{failed.id, failed.conferenceName, failed.conferenceId, failed.providerCallId, ""}});
    }
    throw;
  }
  initiated_.inc();
  return commitHost(call.id, "call.placed",
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

JoinResult CallService::join(const std::string& reference, const std::string& agentId, bool refresh) {
  const CallRecord call = findOrThrow(reference);
  if (call.ended()) {
    throw callEnded(call);
  }
  sdk::ClientCredentialRequest request;
  request.callId = call.id;
  request.agentId = agentId.empty() ? call.agentId : agentId;
  request.sessionId = call.sessionId;
  request.conferenceName = call.conferenceName;
  request.from = call.fromE164;
  request.ttlS = options_.credentialTtlS;
  JoinResult result;
  result.credential = provider().issueClientCredential(request);
  if (refresh) {
    result.call = call;
    return result;
  }
  attempted_.inc();
  result.call = commitHost(call.id, CallStateMachine::kAgentConnecting,
                           {{"leg", "agent"}, {"identity", request.agentId}}, [this](CallRecord& c) {
                             sdk::CallEvent event;
                             event.eventKey = "connecting";
                             event.type = CallStateMachine::kAgentConnecting;
                             event.leg = sdk::leg::kAgent;
                             event.occurredAtMs = now();
                             return CallStateMachine::apply(c, event);
                           });
  return result;
}

ControlResult CallService::control(const std::string& reference, const std::string& participant,
                                   std::optional<bool> muted, std::optional<bool> held) {
  const CallRecord call = findOrThrow(reference);
  if (call.ended()) {
    throw callEnded(call);
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
                      {{"resource", "participant"}, {"participant_sid", participant}, {"conference_sid", reference}});
  }
  sdk::ParticipantUpdateRequest request;
  request.call = {call.id, call.conferenceName, call.conferenceId, call.providerCallId, call.agentLegId};
  request.leg = leg;
  request.muted = muted;
  request.held = held;
  sdk::LegSnapshot snapshot;
  try {
    snapshot = provider().updateParticipant(request);
  } catch (const ProviderError& e) {
    if (e.status() == sdk::Status::NotFound) {
      throw DomainError(DomainError::Kind::NotFound, e.what(),
                        {{"resource", "participant"},
                         {"participant_sid", participant.empty() ? leg : participant},
                         {"conference_sid", reference}});
    }
    throw;
  }
  nlohmann::json payload = {{"leg", leg}};
  if (muted) payload["muted"] = *muted;
  if (held) payload["held"] = *held;
  ControlResult result;
  result.call = commitHost(call.id, muted ? "control.mute" : "control.hold", payload, [&](CallRecord& c) {
    Transition t;
    const int64_t at = now();
    // The provider's answer is the state now; its webhook confirms it later.
    for (const bool isMute : {true, false}) {
      if (isMute ? !muted : !held) continue;
      sdk::CallEvent event;
      event.eventKey = newId("ctl", 6);
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

EndResult CallService::end(const std::string& reference) {
  const CallRecord call = findOrThrow(reference);
  static constexpr const char* kCause = "ended-by-agent";
  if (!call.ended()) {
    // Recorded before the provider hears of it: its hang-up webhook can be
    // committed before our own write below, and the call must still read
    // as ended by the agent, at the moment the agent pressed End.
    commitHost(call.id, "call.end_requested", {{"by", "agent"}},
               [this](CallRecord& c) { return CallStateMachine::markEnding(c, now(), kCause); });
  }
  EndResult result;
  bool providerAlreadyEnded = false;
  try {
    const sdk::EndCallResult ended =
        provider().endCall({call.id, call.conferenceName, call.conferenceId, call.providerCallId, call.agentLegId});
    providerAlreadyEnded = ended.alreadyEnded;
  } catch (const ProviderError& e) {
    // The provider no longer knows the call: it is over there.
    if (e.status() != sdk::Status::NotFound) {
      if (!call.ended()) {
        commitHost(call.id, "call.end_failed", {{"error", e.what()}},
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
  result.call = commitHost(call.id, "call.end_confirmed", {{"already_ended_at_provider", providerAlreadyEnded}},
                           [this](CallRecord& c) { return CallStateMachine::endByHost(c, now(), kCause); });
  return result;
}

CallRecord CallService::get(const std::string& reference) {
  return findOrThrow(reference);
}

std::vector<CallRecord> CallService::active(const std::string& agentId) {
  return calls_.active(agentId, options_.maxActive);
}

CallDetail CallService::detail(const std::string& reference) {
  CallDetail detail;
  detail.call = findOrThrow(reference);
  detail.timeline = calls_.timeline(detail.call.id);
  return detail;
}

CallRecord CallService::logOutcome(const std::string& id, const std::optional<std::string>& outcome,
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
  const CallRecord existing = findOrThrow(id);
  nlohmann::json payload = nlohmann::json::object();
  if (outcome) payload["outcome"] = *outcome;
  if (notes) payload["notes_length"] = notes->size();
  CallRecord updated;
  journal_->run([&](CallRepository& repo, std::vector<CommittedEvent>& published) {
    auto call = repo.find(existing.id);
    if (!call) throw callNotFound(id);
    const CallRecord before = *call;
    if (outcome) call->outcome = *outcome;
    if (notes) call->notes = *notes;
    call->outcomeAt = now();
    call->outcomeBy = by;
    repo.save(before, *call);
    if (call->contactId) {
      repo.markContactOutcome(*call->contactId, call->outcome.value_or(""), call->notes, now());
    }
    StoredEvent event = hostEvent(*call, "outcome.logged", now(), payload);
    event.seq = repo.appendEvent(event);
    published.push_back({event, *call, false, {}});
    updated = *call;
  });
  if (outcome && *outcome == "do_not_call") {
    contacts_.addDoNotCall(updated.toE164, "outcome of call " + updated.id, by);
  }
  return updated;
}

CallPage CallService::history(CallQuery query) {
  if (query.page < 1) {
    throw DomainError(DomainError::Kind::Validation, "page must be 1 or more", {{"field", "page"}});
  }
  if (query.perPage < 1 || query.perPage > ContactService::kMaxPerPage) {
    throw DomainError(DomainError::Kind::Validation, "per_page must be 1-200", {{"field", "per_page"}});
  }
  return calls_.history(query);
}

nlohmann::json CallService::stats(const CallStatsQuery& query) {
  return calls_.stats(query);
}

std::vector<std::pair<StoredEvent, CallRecord>> CallService::eventsAfter(int64_t seq, int64_t limit) {
  return calls_.eventsAfter(seq, limit);
}

int64_t CallService::lastEventSeq() {
  return calls_.lastEventSeq();
}

namespace {

/// A webhook's events, parsed on the caller's thread: the journal's thread
/// is the one every webhook waits on, so it does only what must be serial.
struct IncomingBatch {
  struct Incoming {
    sdk::CallEvent event;
    const nlohmann::json* raw;
  };
  std::string source;
  nlohmann::json events;
  std::vector<Incoming> parsed;
  int64_t received = 0;
  size_t fresh = 0;  ///< set by the job
  /// Live provider legs of no live call (set by the job): hung up after the
  /// commit, so no contact waits in a bridge nothing will end.
  std::vector<sdk::CallRef> orphans;
  /// An agent whose browser leg drops may come back (a reload) within
  /// calls.agent_join_timeout_s: the bridge is not ended at once.
  bool agentMayRejoin = false;
  size_t rejected = 0;  ///< events the schema refused
};

/// A contact leg that is dialling, ringing or answered at the provider.
bool showsLiveContactLeg(const sdk::CallEvent& event) {
  namespace ev = sdk::event;
  return (event.leg.empty() || event.leg == sdk::leg::kContact) && !event.providerCallId.empty() &&
         (event.type == ev::kLegInitiated || event.type == ev::kLegRinging || event.type == ev::kLegAnswered);
}

void parseIncoming(IncomingBatch& batch) {
  for (const auto& item : batch.events) {
    // Checked at the door against the SDK's own schema: a typo'd type
    // (leg.answerd) or a cause outside it (hung-up) would otherwise be stored
    // on the timeline or end a call the wrong way. Refused, never stored.
    if (const auto problems = callEventProblems(item); !problems.empty()) {
      logger("calls")->warn("{}", refusedEventMessage(batch.source, item, problems));
      ++batch.rejected;
      continue;
    }
    try {
      batch.parsed.push_back({sdk::CallEvent::fromJson(item), &item});
      if (batch.parsed.back().event.occurredAtMs <= 0) {
        batch.parsed.back().event.occurredAtMs = batch.received;
      }
    } catch (const std::exception& e) {
      logger("calls")->warn("{} produced an event the host cannot read ({}): dropped", batch.source, e.what());
    }
  }
}

/// The journal job: stores each new event, applies it to its call and
/// publishes it. Runs on the journal's thread.
void applyIncoming(IncomingBatch& batch, CallRepository& repo, std::vector<CommittedEvent>& published) {
  batch.fresh = 0;
  std::map<std::string, CallRecord> touched;  // calls this webhook changed, as they are now
  for (const IncomingBatch::Incoming& incoming : batch.parsed) {
    const sdk::CallEvent& event = incoming.event;
    CallRecord* call = nullptr;
    if (auto it = touched.find(event.callId); !event.callId.empty() && it != touched.end()) {
      call = &it->second;
    } else if (auto found = repo.resolve(event)) {
      auto [slot, added] = touched.try_emplace(found->id);
      if (added) {
        slot->second = std::move(*found);
      }
      call = &slot->second;
    } else {
      const bool orphan = showsLiveContactLeg(event);
      logger("calls")->warn("{} event {} ({}) names no call we know: dropped{}", batch.source, event.eventKey,
                            event.type, orphan ? "; its leg is hung up" : "");
      if (orphan) {
        batch.orphans.push_back({event.callId, "", event.conferenceId, event.providerCallId, ""});
      }
      continue;
    }
    StoredEvent stored;
    stored.callId = call->id;
    stored.source = batch.source;
    stored.eventKey = event.eventKey;
    stored.type = event.type;
    stored.leg = event.leg;
    stored.occurredAt = event.occurredAtMs;
    stored.receivedAt = batch.received;
    stored.payload = *incoming.raw;
    stored.seq = repo.appendEvent(stored);
    if (stored.seq == 0) {
      continue;  // a redelivery: the timeline has it already
    }
    ++batch.fresh;
    const CallRecord before = *call;
    if (before.ended() && showsLiveContactLeg(event)) {
      // A leg of a call that is over: a dial whose answer was lost (the call
      // failed here, the provider placed it anyway), or a contact who
      // answered after the end.
      batch.orphans.push_back({call->id, call->conferenceName,
                               event.conferenceId.empty() ? call->conferenceId : event.conferenceId,
                               event.providerCallId, ""});
    }
    const Transition t = CallStateMachine::apply(*call, event);
    if (t.changed) {
      repo.save(before, *call);
    }
    const bool endedNow = !before.ended() && call->ended();
    if (endedNow && call->contactId) {
      repo.markContactCallEnded(*call->contactId, batch.received);
    }
    CommittedEvent committed{std::move(stored), *call, endedNow, {}};
    if (t.becameFinal && call->agentState != agent_state::kDisconnected) {
      committed.endBridge = "contact-ended";
    } else if (t.agentLeftLiveCall && !batch.agentMayRejoin) {
      committed.endBridge = "agent-left";
    }
    published.push_back(std::move(committed));
  }
}

}  // namespace

void CallService::countRejected(const std::string& source, size_t rejected) {
  if (rejected > 0) {
    metrics_
        .counter("switchboard_call_events_rejected_total",
                 "Events a plugin emitted that the SDK's schema refuses (logged, not stored)", {{"provider", source}})
        .inc(rejected);
  }
}

size_t CallService::ingest(const std::string& source, const nlohmann::json& events) {
  IncomingBatch batch;
  batch.source = source;
  batch.events = events;
  batch.received = now();
  batch.agentMayRejoin = options_.agentJoinTimeoutS > 0;
  parseIncoming(batch);
  countRejected(batch.source, batch.rejected);
  if (batch.parsed.empty()) {
    return 0;
  }
  journal_->run(
      [&](CallRepository& repo, std::vector<CommittedEvent>& published) { applyIncoming(batch, repo, published); });
  hangUpOrphans(batch.orphans);
  ingested_.inc(batch.fresh);
  duplicates_.inc(batch.parsed.size() - batch.fresh);
  return batch.fresh;
}

void CallService::ingestAsync(const std::string& source, nlohmann::json events, IngestDone done) {
  auto batch = std::make_shared<IncomingBatch>();
  batch->source = source;
  batch->events = std::move(events);
  batch->received = now();
  batch->agentMayRejoin = options_.agentJoinTimeoutS > 0;
  parseIncoming(*batch);
  countRejected(batch->source, batch->rejected);
  if (batch->parsed.empty()) {
    done(0, nullptr);
    return;
  }
  journal_->submit(
      [batch](CallRepository& repo, std::vector<CommittedEvent>& published) { applyIncoming(*batch, repo, published); },
      [this, batch, done = std::move(done)](std::exception_ptr error) {
        if (!error) {
          hangUpOrphans(batch->orphans);
          ingested_.inc(batch->fresh);
          duplicates_.inc(batch->parsed.size() - batch->fresh);
        }
        done(error ? 0 : batch->fresh, error);
      });
}

int CallService::subscribe(Listener listener) {
  std::lock_guard lock(listenersMutex_);
  const int id = nextListener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void CallService::unsubscribe(int id) {
  std::lock_guard lock(listenersMutex_);
  listeners_.erase(id);
}

void CallService::onCommitted(const std::vector<CommittedEvent>& events) {
  for (const CommittedEvent& e : events) {
    if (e.event.type == sdk::event::kAgentJoined) {
      established_.inc();
    }
    if (e.endedCall) {
      metrics_
          .counter("switchboard_calls_completed_total", "Calls that reached a final state", {{"result", e.call.result}})
          .inc();
      metrics_.histogram("switchboard_call_duration_seconds", "Talk time of answered calls", Metrics::durationBuckets())
          .observe(static_cast<double>(e.call.talkSeconds.value_or(0)));
    }
    if (!e.endBridge.empty()) {
      const std::string id = e.call.id;
      const std::string reason = e.endBridge;
      react([this, id, reason] { endBridge(id, reason); });
    }
  }
  std::lock_guard lock(listenersMutex_);
  for (const auto& [id, listener] : listeners_) {
    listener(events);
  }
}

std::pair<bool, std::string> CallService::hangUp(const CallRecord& call) {
  try {
    const bool gone =
        provider()
            .endCall({call.id, call.conferenceName, call.conferenceId, call.providerCallId, call.agentLegId})
            .alreadyEnded;
    return {gone, {}};
  } catch (const ProviderError& e) {
    if (e.status() == sdk::Status::NotFound) {
      return {true, {}};  // the provider no longer knows the call: it is over there
    }
    return {false, e.what()};
  }
}

void CallService::endBridge(const std::string& callId, const std::string& reason) {
  auto call = calls_.find(callId);
  if (!call) {
    return;
  }
  // Ask the provider to close the bridge; its events then end the legs.
  // The record changes only through those events, so the outcome does not
  // depend on the order webhooks came in.
  const auto hungUp = hangUp(*call);
  const bool gone = hungUp.first;
  const std::string& problem = hungUp.second;
  if (!problem.empty()) {
    logger("calls")->warn("could not end the bridge of call {} after {}: {}", callId, reason, problem);
  }
  nlohmann::json payload = {{"reason", reason}, {"already_ended", gone}};
  if (!problem.empty()) {
    payload["error"] = problem;
  }
  commitHost(callId, "bridge.end_requested", payload, [this, gone](CallRecord& c) {
    // Nothing more will come from a bridge the provider no longer has.
    return gone ? CallStateMachine::endByHost(c, now(), "bridge-gone") : Transition{};
  });
}

void CallService::sweepAbandoned() {
  // A sweep of the database, not a timer per call: it survives a restart and
  // works the same when several hosts share the database.
  {
    std::lock_guard lock(providerMutex_);
    if (provider_ == nullptr) {
      return;  // nothing to hang up with; the first sweep after start-up catches up
    }
  }
  constexpr int64_t kPerSweep = 100;
  const int64_t answeredBefore = now() - options_.agentJoinTimeoutS * 1000;
  for (const CallRecord& call : calls_.answeredWithoutAgent(answeredBefore, kPerSweep)) {
    try {
      abandon(call);
    } catch (const std::exception& e) {
      logger("calls")->warn("could not hang up call {} (answered, no agent joined): {}", call.id, e.what());
    }
  }
  for (const CallRecord& call : calls_.answeredWithAgentAway(kPerSweep)) {
    const auto since = CallStateMachine::agentAwaySince(call);
    if (!since || *since > answeredBefore) {
      continue;  // still inside the time to come back
    }
    try {
      endAfterAgentLeft(call);
    } catch (const std::exception& e) {
      logger("calls")->warn("could not end call {} (the agent left): {}", call.id, e.what());
    }
  }
}

void CallService::endAfterAgentLeft(const CallRecord& call) {
  // The page may have come back since the sweep read the call.
  const auto current = calls_.find(call.id);
  if (!current || current->ended()) {
    return;
  }
  const auto since = CallStateMachine::agentAwaySince(*current);
  if (!since || *since > now() - options_.agentJoinTimeoutS * 1000) {
    return;
  }
  // Once; again only if the provider has still not ended the call a while
  // after the first try (its answer or its events were lost).
  constexpr int64_t kRetryAfterMs = 10000;
  if (const auto gone = current->clocks.find(CallStateMachine::kAgentGoneClock);
      gone != current->clocks.end() && gone->is_number_integer() && now() - gone->get<int64_t>() < kRetryAfterMs) {
    return;
  }
  logger("calls")->info("call {}: the agent left and did not come back within {} s; ending the call", call.id,
                        options_.agentJoinTimeoutS);
  commitHost(call.id, "call.agent_gone",
             {{"reason", "the agent left and did not come back"}, {"agent_join_timeout_s", options_.agentJoinTimeoutS}},
             [this](CallRecord& c) {
               Transition t;
               c.clocks[CallStateMachine::kAgentGoneClock] = now();
               t.changed = true;
               return t;
             });
  endBridge(call.id, "agent-left");
}

void CallService::abandon(const CallRecord& call) {
  // The agent may have joined since the sweep read the call.
  const auto current = calls_.find(call.id);
  if (!current || current->ended() || current->agentJoinedAt) {
    return;
  }
  // The decision is recorded before the hang-up: the provider's end event
  // can be committed before anything we write after it, and must then still
  // read as abandoned, not as an answered call.
  if (!current->clocks.contains(CallStateMachine::kAbandonedClock)) {
    logger("calls")->info("call {}: the contact answered and no agent joined within {} s; hanging up", call.id,
                          options_.agentJoinTimeoutS);
    commitHost(call.id, "call.abandoned",
               {{"reason", "no agent joined"}, {"agent_join_timeout_s", options_.agentJoinTimeoutS}},
               [this](CallRecord& c) { return CallStateMachine::markAbandoned(c, now()); });
  }
  const auto hungUp = hangUp(*current);
  const bool gone = hungUp.first;
  const std::string& problem = hungUp.second;
  if (!problem.empty()) {
    // Not recorded as over while the contact may still be on the line: the
    // next sweep tries again.
    logger("calls")->warn("could not hang up call {} (answered, no agent joined): {}", call.id, problem);
    return;
  }
  // The provider's events end the call; one it no longer has sends none.
  commitHost(call.id, "bridge.end_requested", {{"reason", "abandoned"}, {"already_ended", gone}},
             [this, gone](CallRecord& c) {
               return gone ? CallStateMachine::endByHost(c, now(), "abandoned-no-agent") : Transition{};
             });
}

void CallService::hangUpOrphans(const std::vector<sdk::CallRef>& legs) {
  for (const sdk::CallRef& leg : legs) {
    {
      // Once per leg: its other events (ringing, answered) would ask again.
      std::lock_guard lock(reactionMutex_);
      if (!orphansHungUp_.insert(leg.providerCallId).second) {
        continue;
      }
      orphanOrder_.push_back(leg.providerCallId);
      if (orphanOrder_.size() > kRememberedOrphans) {
        orphansHungUp_.erase(orphanOrder_.front());
        orphanOrder_.pop_front();
      }
    }
    react([this, leg] {
      logger("calls")->warn("call {}: provider leg {} is live but its call is not; hanging it up",
                            leg.callId.empty() ? "(unknown)" : leg.callId, leg.providerCallId);
      try {
        provider().endCall(leg);
      } catch (const ProviderError& e) {
        if (e.status() != sdk::Status::NotFound) {
          logger("calls")->warn("could not hang up provider leg {}: {}", leg.providerCallId, e.what());
        }
      }
    });
  }
}

void CallService::react(std::function<void()> task) {
  {
    std::lock_guard lock(reactionMutex_);
    reactions_.push_back(std::move(task));
  }
  reactionWake_.notify_one();
}

void CallService::drainReactions() {
  std::unique_lock lock(reactionMutex_);
  reactionIdle_.wait(lock, [this] { return reactions_.empty() && !reactionBusy_; });
}

void CallService::reactionLoop() {
  pthread_setname_np(pthread_self(), "sb-reactions");
  std::unique_lock lock(reactionMutex_);
  auto nextSweep = std::chrono::steady_clock::now() + options_.abandonSweepEvery;
  for (;;) {
    reactionWake_.wait_until(lock, nextSweep, [this] { return stopping_ || !reactions_.empty(); });
    if (stopping_) {
      return;
    }
    if (std::chrono::steady_clock::now() >= nextSweep) {
      nextSweep = std::chrono::steady_clock::now() + options_.abandonSweepEvery;
      if (options_.agentJoinTimeoutS > 0) {
        reactions_.push_back([this] { sweepAbandoned(); });
      }
    }
    if (reactions_.empty()) {
      continue;
    }
    auto task = std::move(reactions_.front());
    reactions_.pop_front();
    reactionBusy_ = true;
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      logger("calls")->error("call reaction failed: {}", e.what());
    }
    lock.lock();
    reactionBusy_ = false;
    if (reactions_.empty()) {
      reactionIdle_.notify_all();
    }
  }
}

}  // namespace sb::core

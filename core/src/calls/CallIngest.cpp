#include <switchboard/core/calls/CallIngest.h>

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/EventCheck.h>

#include <map>
#include <memory>

namespace sb::core {
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

CallIngest::CallIngest(CallLedger& ledger, BridgeReaper& reaper, Metrics& metrics, bool agentMayRejoin)
    : ledger_(ledger),
      reaper_(reaper),
      metrics_(metrics),
      agentMayRejoin_(agentMayRejoin),
      ingested_(metrics.counter("switchboard_call_events_total", "Provider call events stored")),
      duplicates_(
          metrics.counter("switchboard_call_events_duplicate_total", "Provider call events dropped as redeliveries")) {}

void CallIngest::countRejected(const std::string& source, size_t rejected) {
  if (rejected > 0) {
    metrics_
        .counter("switchboard_call_events_rejected_total",
                 "Events a plugin emitted that the SDK's schema refuses (logged, not stored)", {{"provider", source}})
        .inc(rejected);
  }
}

size_t CallIngest::ingest(const std::string& source, const nlohmann::json& events) {
  IncomingBatch batch;
  batch.source = source;
  batch.events = events;
  batch.received = ledger_.now();
  batch.agentMayRejoin = agentMayRejoin_;
  parseIncoming(batch);
  countRejected(batch.source, batch.rejected);
  if (batch.parsed.empty()) {
    return 0;
  }
  ledger_.journal().run(
      [&](CallRepository& repo, std::vector<CommittedEvent>& published) { applyIncoming(batch, repo, published); });
  reaper_.hangUpOrphans(batch.orphans);
  ingested_.inc(batch.fresh);
  duplicates_.inc(batch.parsed.size() - batch.fresh);
  return batch.fresh;
}

void CallIngest::ingestAsync(const std::string& source, nlohmann::json events, Done done) {
  auto batch = std::make_shared<IncomingBatch>();
  batch->source = source;
  batch->events = std::move(events);
  batch->received = ledger_.now();
  batch->agentMayRejoin = agentMayRejoin_;
  parseIncoming(*batch);
  countRejected(batch->source, batch->rejected);
  if (batch->parsed.empty()) {
    done(0, nullptr);
    return;
  }
  ledger_.journal().submit(
      [batch](CallRepository& repo, std::vector<CommittedEvent>& published) { applyIncoming(*batch, repo, published); },
      [this, batch, done = std::move(done)](std::exception_ptr error) {
        if (!error) {
          reaper_.hangUpOrphans(batch->orphans);
          ingested_.inc(batch->fresh);
          duplicates_.inc(batch->parsed.size() - batch->fresh);
        }
        done(error ? 0 : batch->fresh, error);
      });
}

}  // namespace sb::core

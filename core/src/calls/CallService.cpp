#include <switchboard/core/calls/CallService.h>

#include <switchboard/core/text/Time.h>
#include <chrono>

namespace sb::core {

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
    : options_(std::move(options)),
      metrics_(metrics),
      established_(metrics.counter("switchboard_agent_connections_established_total",
                                   "Agents whose browser leg joined the call's bridge")) {
  if (options_.dispositions.empty()) {
    options_.dispositions = CallServiceOptions::defaultDispositions();
  }
  if (!options_.clockMs) {
    options_.clockMs = unixNowMs;
  }
  // Before the journal: its commits poke the feed.
  if (auto listener = calls.listenForEvents()) {
    feed_ = std::make_unique<ClusterEventFeed>(std::move(listener), calls, bus_);
  }
  journal_ = std::make_unique<CallJournal>(calls, options_.journalBatch);
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
  ledger_ = std::make_unique<CallLedger>(calls, *journal_, options_.clockMs);
  reaper_ = std::make_unique<BridgeReaper>(
      *ledger_, provider_,
      BridgeReaperOptions{options_.agentJoinTimeoutS, options_.abandonSweepEvery, options_.sweepLeases,
                          options_.sweepLeaseTtl, options_.statusCheckEvery});
  commands_ = std::make_unique<CallCommands>(*ledger_, provider_, contacts, *reaper_, metrics, options_);
  ingest_ = std::make_unique<CallIngest>(*ledger_, *reaper_, metrics, options_.agentJoinTimeoutS > 0);
  queries_ = std::make_unique<CallQueries>(*ledger_, options_.maxActive);
}

CallService::~CallService() {
  feed_.reset();
  reaper_->stop();  // its thread writes through the journal
  journal_->stop();
}

void CallService::setProvider(const ProviderProxy* provider, std::string problem) {
  provider_.set(provider, std::move(problem));
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
  }
  reaper_->onCommitted(events);
  if (feed_) {
    feed_->poke();  // the feed publishes every host's events in sequence order
  } else {
    bus_.publish(events);
  }
}

}  // namespace sb::core

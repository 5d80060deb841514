#include <switchboard/core/calls/BridgeReaper.h>

#include <switchboard/core/calls/CallReconciler.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/ProviderError.h>

#include <Poco/Environment.h>

#include <algorithm>

#include <pthread.h>
#include <unistd.h>

namespace sb::core {
namespace {

constexpr const char* kSweepLease = "abandoned-call-sweep";

}  // namespace

BridgeReaper::BridgeReaper(CallLedger& ledger, const ProviderSlot& provider, BridgeReaperOptions options)
    : ledger_(ledger),
      provider_(provider),
      options_(options),
      leaseHolder_(Poco::Environment::nodeName() + ":" + std::to_string(::getpid()) + ":" + CallLedger::newId("", 8)),
      sweeping_(options_.leases == nullptr) {
  thread_ = std::thread([this] { loop(); });
}

BridgeReaper::~BridgeReaper() {
  stop();
}

void BridgeReaper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  if (options_.leases != nullptr && sweeping_.exchange(false)) {
    // Hand over at once rather than after the lease lapses.
    try {
      options_.leases->release(kSweepLease, leaseHolder_);
    } catch (const std::exception& e) {
      logger("calls")->warn("could not give up the abandoned-call sweep's lease: {}", e.what());
    }
  }
}

bool BridgeReaper::holdSweepLease() {
  if (options_.leases == nullptr) {
    return true;
  }
  bool held = false;
  try {
    held = options_.leases->acquire(kSweepLease, leaseHolder_, ledger_.now(), options_.leaseTtl.count());
    leaseRenewedAt_ = std::chrono::steady_clock::now();
  } catch (const std::exception& e) {
    // Unsure whether we still hold it: stop sweeping; another host takes
    // over once it lapses.
    logger("calls")->warn("could not renew the abandoned-call sweep's lease: {}", e.what());
  }
  if (held != sweeping_.exchange(held)) {
    logger("calls")->info("this host ({}) {} the abandoned-call sweep", leaseHolder_,
                          held ? "now runs" : "no longer runs");
  }
  return held;
}

bool BridgeReaper::keepSweepLease() {
  // A long sweep (many calls, slow provider answers) renews its lease when
  // half of it is gone, so that no other host starts on the same calls.
  if (options_.leases == nullptr || std::chrono::steady_clock::now() - leaseRenewedAt_ < options_.leaseTtl / 2) {
    return true;
  }
  return holdSweepLease();
}

void BridgeReaper::onCommitted(const std::vector<CommittedEvent>& events) {
  for (const CommittedEvent& e : events) {
    if (!e.endBridge.empty()) {
      react([this, id = e.call.id, reason = e.endBridge] { endBridge(id, reason); });
    }
  }
}

std::pair<bool, std::string> BridgeReaper::hangUp(const CallRecord& call) {
  try {
    const bool gone =
        provider_.get()
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

void BridgeReaper::endBridge(const std::string& callId, const std::string& reason) {
  auto call = ledger_.repository().find(callId);
  if (!call) {
    return;
  }
  // Ask the provider to close the bridge; its events then end the legs.
  // The record changes only through those events, so the outcome does not
  // depend on the order webhooks came in.
  const auto [gone, problem] = hangUp(*call);
  if (!problem.empty()) {
    logger("calls")->warn("could not end the bridge of call {} after {}: {}", callId, reason, problem);
  }
  nlohmann::json payload = {{"reason", reason}, {"already_ended", gone}};
  if (!problem.empty()) {
    payload["error"] = problem;
  }
  const bool providerGone = gone;
  ledger_.commitHost(callId, "bridge.end_requested", payload, [this, providerGone](CallRecord& c) {
    // Nothing more will come from a bridge the provider no longer has.
    return providerGone ? CallStateMachine::endByHost(c, ledger_.now(), "bridge-gone") : Transition{};
  });
}

void BridgeReaper::sweep() {
  // A sweep of the database, not a timer per call: it survives a restart,
  // and when several hosts share the database the holder of the lease
  // sweeps for all of them (a host that dies hands over when it lapses).
  if (provider_.find() == nullptr) {
    return;  // nothing to hang up with; the first sweep after start-up catches up
  }
  if (!holdSweepLease()) {
    return;
  }
  if (options_.agentJoinTimeoutS > 0) {
    sweepAbandoned();
  }
  if (options_.statusCheckEvery.count() > 0 && std::chrono::steady_clock::now() >= nextStatusPass_) {
    // The live calls are read at most every few seconds, whatever the sweep's pace.
    nextStatusPass_ = std::chrono::steady_clock::now() +
                      std::min<std::chrono::milliseconds>(options_.statusCheckEvery, std::chrono::seconds(5));
    checkStatuses();
  }
}

void BridgeReaper::checkStatuses() {
  // A webhook that never arrives (the provider gave up its retries, a
  // network cut, a host down at the wrong moment) would leave a call live
  // here for ever, its agent busy and the board wrong. Every live call is
  // checked with the provider once per statusCheckEvery; the ones checked
  // longest ago go first, and a pass asks at most statusChecksPerPass times,
  // which bounds what the checks cost the provider account.
  constexpr int64_t kLiveCallsRead = 10'000;
  const int64_t now = ledger_.now();
  const int64_t every = std::chrono::duration_cast<std::chrono::milliseconds>(options_.statusCheckEvery).count();
  std::vector<CallRecord> live = ledger_.repository().active("", kLiveCallsRead);
  std::unordered_map<std::string, int64_t> stillLive;  // the calls that ended are forgotten
  std::vector<std::pair<int64_t, const CallRecord*>> due;
  for (const CallRecord& call : live) {
    const auto checked = statusCheckedAt_.find(call.id);
    const int64_t since = checked != statusCheckedAt_.end() ? checked->second : call.createdAt;
    if (checked != statusCheckedAt_.end()) stillLive.emplace(*checked);
    if (now - since >= every) due.emplace_back(since, &call);
  }
  statusCheckedAt_.swap(stillLive);
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  int asked = 0;
  CallReconciler reconciler(ledger_, provider_);
  for (const auto& [since, call] : due) {
    if (asked >= options_.statusChecksPerPass || !keepSweepLease()) {
      return;
    }
    std::string problem;
    const auto verdict = reconciler.check(*call, &problem);
    if (verdict == CallReconciler::Verdict::Placing) {
      continue;
    }
    ++asked;
    statusCheckedAt_[call->id] = now;
    if (verdict == CallReconciler::Verdict::Unknown) {
      logger("calls")->warn("status check of call {}: the provider did not answer: {}", call->id, problem);
    }
  }
}

void BridgeReaper::sweepAbandoned() {
  constexpr int64_t kPerSweep = 100;
  const int64_t answeredBefore = ledger_.now() - options_.agentJoinTimeoutS * 1000;
  for (const CallRecord& call : ledger_.repository().answeredWithoutAgent(answeredBefore, kPerSweep)) {
    if (!keepSweepLease()) {
      return;
    }
    try {
      abandon(call);
    } catch (const std::exception& e) {
      logger("calls")->warn("could not hang up call {} (answered, no agent joined): {}", call.id, e.what());
    }
  }
  for (const CallRecord& call : ledger_.repository().answeredWithAgentAway(kPerSweep)) {
    const auto since = CallStateMachine::agentAwaySince(call);
    if (!since || *since > answeredBefore) {
      continue;  // still inside the time to come back
    }
    if (!keepSweepLease()) {
      return;
    }
    try {
      endAfterAgentLeft(call);
    } catch (const std::exception& e) {
      logger("calls")->warn("could not end call {} (the agent left): {}", call.id, e.what());
    }
  }
}

void BridgeReaper::endAfterAgentLeft(const CallRecord& call) {
  // The page may have come back since the sweep read the call.
  const auto current = ledger_.repository().find(call.id);
  if (!current || current->ended()) {
    return;
  }
  const auto since = CallStateMachine::agentAwaySince(*current);
  if (!since || *since > ledger_.now() - options_.agentJoinTimeoutS * 1000) {
    return;
  }
  // Once; again only if the provider has still not ended the call a while
  // after the first try (its answer or its events were lost).
  constexpr int64_t kRetryAfterMs = 10000;
  if (const auto gone = current->clocks.find(CallStateMachine::kAgentGoneClock);
      gone != current->clocks.end() && gone->is_number_integer() &&
      ledger_.now() - gone->get<int64_t>() < kRetryAfterMs) {
    return;
  }
  logger("calls")->info("call {}: the agent left and did not come back within {} s; ending the call", call.id,
                        options_.agentJoinTimeoutS);
  ledger_.commitHost(
      call.id, "call.agent_gone",
      {{"reason", "the agent left and did not come back"}, {"agent_join_timeout_s", options_.agentJoinTimeoutS}},
      [this](CallRecord& c) {
        Transition t;
        c.clocks[CallStateMachine::kAgentGoneClock] = ledger_.now();
        t.changed = true;
        return t;
      });
  endBridge(call.id, "agent-left");
}

void BridgeReaper::abandon(const CallRecord& call) {
  // The agent may have joined since the sweep read the call.
  const auto current = ledger_.repository().find(call.id);
  if (!current || current->ended() || current->agentJoinedAt) {
    return;
  }
  // The decision is recorded before the hang-up: the provider's end event
  // can be committed before anything we write after it, and must then still
  // read as abandoned, not as an answered call.
  if (!current->clocks.contains(CallStateMachine::kAbandonedClock)) {
    logger("calls")->info("call {}: the contact answered and no agent joined within {} s; hanging up", call.id,
                          options_.agentJoinTimeoutS);
    ledger_.commitHost(call.id, "call.abandoned",
                       {{"reason", "no agent joined"}, {"agent_join_timeout_s", options_.agentJoinTimeoutS}},
                       [this](CallRecord& c) { return CallStateMachine::markAbandoned(c, ledger_.now()); });
  }
  const auto [gone, problem] = hangUp(*current);
  if (!problem.empty()) {
    // Not recorded as over while the contact may still be on the line: the
    // next sweep tries again.
    logger("calls")->warn("could not hang up call {} (answered, no agent joined): {}", call.id, problem);
    return;
  }
  // The provider's events end the call; one it no longer has sends none.
  const bool providerGone = gone;
  ledger_.commitHost(call.id, "bridge.end_requested", {{"reason", "abandoned"}, {"already_ended", gone}},
                     [this, providerGone](CallRecord& c) {
                       return providerGone ? CallStateMachine::endByHost(c, ledger_.now(), "abandoned-no-agent")
                                           : Transition{};
                     });
}

void BridgeReaper::hangUpOrphans(const std::vector<sdk::CallRef>& legs) {
  for (const sdk::CallRef& leg : legs) {
    {
      // Once per leg: its other events (ringing, answered) would ask again.
      std::lock_guard lock(mutex_);
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
        provider_.get().endCall(leg);
      } catch (const ProviderError& e) {
        if (e.status() != sdk::Status::NotFound) {
          logger("calls")->warn("could not hang up provider leg {}: {}", leg.providerCallId, e.what());
        }
      }
    });
  }
}

void BridgeReaper::react(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void BridgeReaper::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return tasks_.empty() && !busy_; });
}

void BridgeReaper::loop() {
  pthread_setname_np(pthread_self(), "sb-reactions");
  std::unique_lock lock(mutex_);
  auto nextSweep = std::chrono::steady_clock::now() + options_.sweepEvery;
  for (;;) {
    wake_.wait_until(lock, nextSweep, [this] { return stopping_ || !tasks_.empty(); });
    if (stopping_) {
      return;
    }
    if (std::chrono::steady_clock::now() >= nextSweep) {
      nextSweep = std::chrono::steady_clock::now() + options_.sweepEvery;
      if (options_.agentJoinTimeoutS > 0 || options_.statusCheckEvery.count() > 0) {
        tasks_.push_back([this] { sweep(); });
      }
    }
    if (tasks_.empty()) {
      continue;
    }
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      logger("calls")->error("call reaction failed: {}", e.what());
    }
    lock.lock();
    busy_ = false;
    if (tasks_.empty()) {
      idle_.notify_all();
    }
  }
}

}  // namespace sb::core

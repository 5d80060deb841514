#pragma once

#include "Scheduler.h"
#include "SimCall.h"
#include "SimScenario.h"

#include <switchboard/sdk/provider.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace sb::sim {

/// A simulated carrier: calls progress on timers according to the scenario
/// chosen for the dialed number, and every state change is delivered as a
/// signed webhook to the host (webhook_base_url + "/events"), through the
/// same path a real provider's webhooks take.
class SimProvider final : public sdk::Provider {
 public:
  SimProvider(sdk::Host host, sdk::Config config);
  ~SimProvider() override;

  sdk::StartCallResult startCall(const sdk::StartCallRequest& request) override;
  sdk::EndCallResult endCall(const sdk::EndCallRequest& request) override;
  sdk::CallStatus callStatus(const sdk::CallStatusRequest& request) override;
  sdk::ParticipantUpdateResult updateParticipant(const sdk::ParticipantUpdateRequest& request) override;
  sdk::ClientCredential issueClientCredential(const sdk::ClientCredentialRequest& request) override;
  sdk::WebhookResult onWebhook(const sdk::HttpRequest& request) override;

 private:
  /// The call, in its newest copy: when the host shares state (ABI 1.1),
  /// another host may have placed it or changed it since (any request may
  /// reach any host), and its copy there is adopted. NotFound if no host
  /// has it.
  SimCall& findLocked(const std::string& callId);
  /// Shares the call's copy with the other hosts (a no-op without shared
  /// state). After every change.
  void publishLocked(SimCall& call);
  bool isFinal(const std::string& state) const;
  /// Builds an event for a call (caller holds mutex_) and queues its delivery.
  void emitLocked(SimCall& call, const std::string& type, const std::string& leg, nlohmann::json extra = {});
  void deliver(const std::string& body);
  void endContactLocked(SimCall& call, const std::string& state);
  void endAllLocked(SimCall& call, const std::string& contactState);
  std::string newId(const char* prefix) const;
  void remember(const std::string& callId);
  /// Fault injection (config fail_operations): the listed operations fail
  /// as a carrier that refuses them would.
  void failIfConfigured(const char* operation) const;

  std::optional<sdk::State> state_;
  std::string secret_;
  std::string webhookUrl_;
  bool duplicates_;
  std::set<std::string> failOperations_;
  Timings timings_;
  std::mutex mutex_;
  std::map<std::string, SimCall> calls_;
  std::deque<std::string> order_;  ///< call ids, oldest first, to bound memory
  std::atomic<uint64_t> eventCounter_{0};
  Scheduler scheduler_;  ///< last member: destroyed (and joined) first
};

}  // namespace sb::sim

#include "SimProvider.h"

#include "SimWebhook.h"

#include <switchboard/sdk/define_provider.hpp>
#include <switchboard/sdk/encoding.hpp>

#include <sstream>

namespace sb::sim {
namespace {

constexpr size_t kMaxRememberedCalls = 10000;
constexpr int kMaxDeliveryAttempts = 4;
/// Longer than any simulated call.
constexpr std::chrono::hours kSharedCallTtl{24};

}  // namespace

SimProvider::SimProvider(sdk::Host host, sdk::Config config)
    : Provider(host, std::move(config)),
      state_(this->host().state()),
      secret_(this->config().getString("secret")),
      webhookUrl_(this->config().getString("webhook_base_url")),
      duplicates_(this->config().getBool("duplicate_events", false)),
      timings_(timingsFrom(this->config())) {
  // Validate every configured result now, so a typo fails at start-up.
  (void)scenarioFor(this->config(), "");
  const nlohmann::json results = this->config().section("results").raw();
  for (auto it = results.begin(); it != results.end(); ++it) {
    parseScenario(it->is_string() ? it->get<std::string>() : it->dump(), "results." + it.key());
  }
  std::stringstream failing(this->config().getString("fail_operations"));
  for (std::string operation; std::getline(failing, operation, ',');) {
    if (!operation.empty()) {
      failOperations_.insert(operation);
    }
  }
  if (secret_.empty()) {
    // One process both signs and verifies, so a random secret works; set
    // provider.sim.secret to verify across restarts.
    secret_ = sdk::encoding::toHex(this->host().crypto().randomBytes(32));
  }
  if (!webhookUrl_.empty() && webhookUrl_.back() == '/') {
    webhookUrl_.pop_back();
  }
  if (webhookUrl_.empty()) {
    this->host().warn("no webhook_base_url: simulated call events will not be delivered");
  }
}

SimProvider::~SimProvider() = default;

void SimProvider::failIfConfigured(const char* operation) const {
  if (failOperations_.count(operation) != 0) {
    throw sdk::ProviderError(sdk::Status::ProviderRejected,
                             std::string("the simulated carrier refused ") + operation + " (fail_operations)", 0,
                             "SIM-FAULT");
  }
}

std::string SimProvider::newId(const char* prefix) const {
  return prefix + sdk::encoding::toHex(host().crypto().randomBytes(12));
}

bool SimProvider::isFinal(const std::string& state) const {
  return state == "completed" || state == "busy" || state == "no-answer" || state == "failed" || state == "canceled";
}

SimCall& SimProvider::findLocked(const std::string& callId) {
  auto it = calls_.find(callId);
  if (state_) {
    try {
      if (const auto shared = state_->get("call:" + callId)) {
        SimCall copy = SimCall::fromJson(nlohmann::json::parse(*shared));
        if (it == calls_.end()) {
          it = calls_.emplace(callId, std::move(copy)).first;
          remember(callId);
        } else if (copy.revision > it->second.revision) {
          copy.scenario = it->second.scenario;
          it->second = std::move(copy);
        }
      }
    } catch (const std::exception& e) {
      host().warn("could not read call '" + callId + "' from the shared state: " + e.what());
    }
  }
  if (it == calls_.end()) {
    throw sdk::ProviderError(sdk::Status::NotFound, "sim has no call '" + callId + "'");
  }
  return it->second;
}

void SimProvider::publishLocked(SimCall& call) {
  ++call.revision;
  if (!state_) {
    return;
  }
  try {
    state_->put("call:" + call.callId, call.toJson().dump(), kSharedCallTtl);
  } catch (const sdk::ProviderError& e) {
    host().warn("could not share call '" + call.callId + "' with the other hosts: " + e.what());
  }
}

void SimProvider::remember(const std::string& callId) {
  order_.push_back(callId);
  while (order_.size() > kMaxRememberedCalls) {
    calls_.erase(order_.front());
    order_.pop_front();
  }
}

void SimProvider::emitLocked(SimCall& call, const std::string& type, const std::string& leg, nlohmann::json extra) {
  nlohmann::json event = {{"event_key", newId("evt_")},
                          {"type", type},
                          {"call_id", call.callId},
                          {"provider_call_id", call.providerCallId},
                          {"conference_id", call.conferenceId},
                          {"occurred_at_ms", host().nowMs()},
                          {"sequence", ++call.sequence}};
  if (!leg.empty()) {
    event["leg"] = leg;
  }
  if (extra.is_object()) {
    event.update(extra);
  }
  if (call.webhooksLost) {
    return;
  }
  const std::string body = event.dump();
  scheduler_.after(std::chrono::milliseconds(0), "", [this, body] { deliver(body); });
  if (duplicates_) {
    scheduler_.after(std::chrono::milliseconds(0), "", [this, body] { deliver(body); });
  }
}

void SimProvider::deliver(const std::string& body) {
  if (webhookUrl_.empty()) {
    return;
  }
  const std::string url = webhookUrl_ + "/events";
  for (int attempt = 1; attempt <= kMaxDeliveryAttempts; ++attempt) {
    const int64_t now = host().nowMs() / 1000;
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.body = body;
    request.timeoutMs = 5000;
    request.headers = {{"Content-Type", "application/json"},
                       {kTimestampHeader, std::to_string(now)},
                       {kSignatureHeader, signWebhook(host().crypto(), secret_, now, url, body)}};
    try {
      const sdk::HttpResponse response = host().http(request);
      if (response.status >= 200 && response.status < 300) {
        return;
      }
      host().warn("webhook delivery to " + url + " got HTTP " + std::to_string(response.status) + " (attempt " +
                  std::to_string(attempt) + ")");
      if (response.status < 500) {
        return;  // a 4xx will not get better by retrying
      }
    } catch (const sdk::ProviderError& e) {
      host().warn("webhook delivery to " + url + " failed (attempt " + std::to_string(attempt) + "): " + e.what());
    }
    if (!scheduler_.pause(std::chrono::milliseconds(100 * attempt * attempt))) {
      return;  // the plugin is being unloaded: nobody is left to deliver to
    }
  }
}

void SimProvider::endContactLocked(SimCall& call, const std::string& state) {
  if (isFinal(call.contactState)) {
    return;
  }
  const bool wasAnswered = call.contactState == "in-progress";
  call.contactState = state;
  nlohmann::json extra = {{"cause", state}};
  if (wasAnswered) {
    extra["duration_s"] = (host().nowMs() - call.answeredAtMs) / 1000;
  }
  emitLocked(call, sdk::event::kLegEnded, sdk::leg::kContact, extra);
}

void SimProvider::endAllLocked(SimCall& call, const std::string& contactState) {
  scheduler_.cancel(call.callId);
  endContactLocked(call, contactState);
  if (call.agentState == "connecting" || call.agentState == "connected") {
    call.agentState = "disconnected";
    emitLocked(call, sdk::event::kAgentLeft, sdk::leg::kAgent, {{"provider_call_id", call.agentLegId}});
  }
  if (call.conferenceStarted && !call.conferenceEnded) {
    call.conferenceEnded = true;
    emitLocked(call, sdk::event::kConferenceEnded, "");
  }
}

sdk::StartCallResult SimProvider::startCall(const sdk::StartCallRequest& request) {
  failIfConfigured("call.start");
  const Scenario scenario = scenarioFor(config(), request.to);
  std::lock_guard lock(mutex_);
  if (calls_.count(request.callId) != 0) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument, "sim already has a call '" + request.callId + "'");
  }
  SimCall call;
  call.callId = request.callId;
  call.providerCallId = newId("simcall_");
  call.conferenceId = newId("simconf_");
  call.to = request.to;
  call.scenario = scenario;
  const std::string id = request.callId;
  publishLocked(call);
  calls_.emplace(id, call);
  remember(id);

  // Each step first reads the call's newest copy: another host may have
  // ended it (its own timers cannot be cancelled from there).
  scheduler_.after(timings_.ringAfter, id, [this, id] {
    std::lock_guard inner(mutex_);
    SimCall& c = findLocked(id);
    if (c.contactState != "initiated") return;
    c.contactState = "ringing";
    emitLocked(c, sdk::event::kLegRinging, sdk::leg::kContact);
    publishLocked(c);
  });
  const auto ringing = timings_.ringAfter;
  switch (scenario.outcome) {
    case Outcome::Answered:
      scheduler_.after(ringing + timings_.answerAfter, id, [this, id] {
        std::lock_guard inner(mutex_);
        SimCall& c = findLocked(id);
        if (c.contactState != "ringing") return;
        c.contactState = "in-progress";
        c.answeredAtMs = host().nowMs();
        emitLocked(c, sdk::event::kLegAnswered, sdk::leg::kContact);
        c.conferenceStarted = true;
        emitLocked(c, sdk::event::kConferenceStarted, "");
        publishLocked(c);
        if (c.scenario.hangupAfter.count() > 0) {
          scheduler_.after(c.scenario.hangupAfter, id, [this, id] {
            std::lock_guard last(mutex_);
            SimCall& answered = findLocked(id);
            answered.webhooksLost = answered.scenario.hangupUnheard;
            endAllLocked(answered, "completed");
            answered.webhooksLost = false;
            publishLocked(answered);
          });
        }
      });
      break;
    case Outcome::Busy:
    case Outcome::Failed:
      scheduler_.after(ringing + timings_.rejectAfter, id, [this, id, scenario] {
        std::lock_guard inner(mutex_);
        SimCall& c = findLocked(id);
        endAllLocked(c, outcomeCause(scenario.outcome));
        publishLocked(c);
      });
      break;
    case Outcome::NoAnswer:
      scheduler_.after(ringing + timings_.noAnswerAfter, id, [this, id] {
        std::lock_guard inner(mutex_);
        SimCall& c = findLocked(id);
        endAllLocked(c, "no-answer");
        publishLocked(c);
      });
      break;
  }
  sdk::StartCallResult result;
  result.providerCallId = call.providerCallId;
  result.conferenceId = call.conferenceId;
  result.status = "initiated";
  return result;
}

sdk::EndCallResult SimProvider::endCall(const sdk::EndCallRequest& request) {
  failIfConfigured("call.end");
  std::lock_guard lock(mutex_);
  SimCall& call = findLocked(request.callId);
  sdk::EndCallResult result;
  if (isFinal(call.contactState) && (call.conferenceEnded || !call.conferenceStarted) &&
      call.agentState != "connected") {
    result.alreadyEnded = true;
    return result;
  }
  endAllLocked(call, call.contactState == "in-progress" ? "completed" : "canceled");
  publishLocked(call);
  return result;
}

sdk::CallStatus SimProvider::callStatus(const sdk::CallStatusRequest& request) {
  std::lock_guard lock(mutex_);
  const SimCall& call = findLocked(request.callId);
  sdk::CallStatus status;
  status.status = call.contactState;
  status.conferenceId = call.conferenceId;
  status.legs.push_back(
      {sdk::leg::kContact, call.providerCallId, call.contactState, call.contactMuted, call.contactHeld});
  if (!call.agentState.empty()) {
    status.legs.push_back({sdk::leg::kAgent, call.agentLegId, call.agentState, call.agentMuted, call.agentHeld});
  }
  return status;
}

sdk::ParticipantUpdateResult SimProvider::updateParticipant(const sdk::ParticipantUpdateRequest& request) {
  failIfConfigured("participant.update");
  std::lock_guard lock(mutex_);
  SimCall& call = findLocked(request.call.callId);
  const bool contact = request.leg == sdk::leg::kContact;
  if (contact ? call.contactState != "in-progress" : call.agentState != "connected") {
    throw sdk::ProviderError(sdk::Status::NotFound,
                             "the " + request.leg + " leg of call '" + call.callId + "' is not in the conference");
  }
  bool& muted = contact ? call.contactMuted : call.agentMuted;
  bool& held = contact ? call.contactHeld : call.agentHeld;
  if (request.muted && *request.muted != muted) {
    muted = *request.muted;
    emitLocked(call, sdk::event::kParticipantMuted, request.leg, {{"muted", muted}});
  }
  if (request.held && *request.held != held) {
    held = *request.held;
    emitLocked(call, sdk::event::kParticipantHeld, request.leg, {{"held", held}});
  }
  publishLocked(call);
  return {request.leg, contact ? call.providerCallId : call.agentLegId, contact ? call.contactState : call.agentState,
          muted, held};
}

sdk::ClientCredential SimProvider::issueClientCredential(const sdk::ClientCredentialRequest& request) {
  failIfConfigured("client_credential.issue");
  sdk::ClientCredential credential;
  credential.kind = "sim";
  credential.token = newId("simtok_");
  credential.identity = request.agentId;
  credential.expiresAt = host().nowMs() / 1000 + request.ttlS;
  credential.sdk = {{"session_id", request.sessionId}};
  if (request.callId.empty()) {
    return credential;
  }
  // The sim's browser stand-in makes no network call: the agent "joins"
  // the bridge a moment after its credential is issued.
  std::lock_guard lock(mutex_);
  SimCall& call = findLocked(request.callId);
  if (isFinal(call.contactState)) {
    throw sdk::ProviderError(sdk::Status::NotFound, "call '" + call.callId + "' has ended");
  }
  // A credential for an agent already connected is a new page (a reload,
  // another tab) whose leg replaces the old one, as a real browser's would.
  if (call.agentState != "connecting") {
    call.agentState = "connecting";
    call.agentLegId = newId("simagent_");
    publishLocked(call);
    const std::string id = call.callId;
    scheduler_.after(timings_.agentJoinAfter, id, [this, id] {
      std::lock_guard inner(mutex_);
      SimCall& c = findLocked(id);
      if (c.agentState == "connecting" && !isFinal(c.contactState)) {
        c.agentState = "connected";
        emitLocked(c, sdk::event::kAgentJoined, sdk::leg::kAgent, {{"provider_call_id", c.agentLegId}});
        publishLocked(c);
      }
    });
  }
  return credential;
}

sdk::WebhookResult SimProvider::onWebhook(const sdk::HttpRequest& request) {
  sdk::WebhookResult result;
  result.events = readWebhook(host().crypto(), secret_, host().nowMs() / 1000, request);
  result.reply.status = 200;
  result.reply.headers = {{"Content-Type", "application/json"}};
  result.reply.body = R"({"received":true})";
  return result;
}

}  // namespace sb::sim

// The id, name and version come from sb_add_provider_plugin() in CMakeLists.txt.
SB_PROVIDER(sb::sim::SimProvider, sb::sdk::Capabilities(sb::sdk::Topology::Bridge)
                                      .operations(sb::sdk::kAllOperations)
                                      .mute()
                                      .hold()
                                      .clientCredential("sim")
                                      .webhookSignature("hmac-sha256")
                                      .webhooksNonblocking())

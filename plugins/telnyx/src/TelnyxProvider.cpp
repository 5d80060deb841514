#include "TelnyxProvider.h"

#include "TelnyxEvents.h"
#include "TelnyxSignature.h"

#include <switchboard/sdk/define_provider.hpp>
#include <switchboard/sdk/encoding.hpp>

#include <chrono>
#include <functional>
#include <thread>

namespace sb::telnyx {
namespace {

constexpr size_t kMaxBridges = 10000;
constexpr int64_t kMaxLoginTokenS = 86400;  // Telnyx: 24 h at most
/// How long a leg waits for the other leg's conference to be created.
constexpr std::chrono::seconds kCreateWait{10};
/// A creator that died mid-creation stops blocking the others after this.
constexpr std::chrono::seconds kCreatorClaim{15};
/// Longer than any call.
constexpr std::chrono::hours kSharedStateTtl{24};

std::string field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// The exp claim of a JWT, without verifying it (Telnyx signed it for
/// Telnyx; we only report when it lapses).
std::optional<int64_t> jwtExpiry(const std::string& token) {
  const size_t first = token.find('.');
  const size_t second = token.find('.', first == std::string::npos ? 0 : first + 1);
  if (first == std::string::npos || second == std::string::npos) return std::nullopt;
  std::string part = token.substr(first + 1, second - first - 1);
  for (char& c : part) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (part.size() % 4 != 0) part.push_back('=');
  const auto payload = sdk::encoding::base64Decode(part);
  if (!payload) return std::nullopt;
  const auto claims = nlohmann::json::parse(*payload, nullptr, false);
  if (!claims.is_object() || !claims.contains("exp") || !claims["exp"].is_number_integer()) return std::nullopt;
  return claims["exp"].get<int64_t>();
}

}  // namespace

TelnyxProvider::TelnyxProvider(sdk::Host host, sdk::Config config)
    : Provider(host, std::move(config)),
      config_(TelnyxConfig::from(this->config(), this->host().crypto())),
      client_(this->host(), config_),
      state_(this->host().state()) {
  this->host().info("Telnyx Call Control application " + config_.connectionId + " via " + config_.baseUrl +
                    "; webhooks at " + config_.webhookBaseUrl + "/events");
  if (config_.credentialId.empty()) {
    this->host().warn("no credential_id: calls can be placed, but no browser can join them (docs/TELNYX.md)");
  }
}

TelnyxProvider::Bridge& TelnyxProvider::bridgeLocked(const std::string& callId) {
  auto [it, inserted] = bridges_.try_emplace(callId);
  if (inserted) {
    order_.push_back(callId);
    while (order_.size() > kMaxBridges) {
      bridges_.erase(order_.front());
      order_.pop_front();
    }
  }
  return it->second;
}

std::string TelnyxProvider::sealAgentState(const std::string& callId, int64_t expiresAt) const {
  const std::string signedPart = callId + "|agent|" + std::to_string(expiresAt);
  const std::string mac = sdk::encoding::toHex(host().crypto().hmac("sha256", config_.sessionKey, signedPart));
  return sdk::encoding::base64Encode(
      nlohmann::json{{"c", callId}, {"l", sdk::leg::kAgent}, {"e", expiresAt}, {"m", mac}}.dump());
}

bool TelnyxProvider::agentStateValid(const nlohmann::json& clientState, bool checkExpiry) const {
  if (!clientState.is_string()) return false;
  const auto raw = sdk::encoding::base64Decode(clientState.get<std::string>());
  const auto json = raw ? nlohmann::json::parse(*raw, nullptr, false) : nlohmann::json();
  if (!json.is_object() || !json.contains("e") || !json["e"].is_number_integer()) return false;
  const int64_t expiresAt = json["e"].get<int64_t>();
  const std::string signedPart = field(json, "c") + "|agent|" + std::to_string(expiresAt);
  const std::string mac = sdk::encoding::toHex(host().crypto().hmac("sha256", config_.sessionKey, signedPart));
  return field(json, "l") == sdk::leg::kAgent && (!checkExpiry || expiresAt >= host().nowMs() / 1000) &&
         sdk::encoding::constantTimeEquals(mac, field(json, "m"));
}

sdk::StartCallResult TelnyxProvider::startCall(const sdk::StartCallRequest& request) {
  const std::string from = request.from.empty() ? config_.callerId : request.from;
  if (from.empty()) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument,
                             "no caller ID: set calls.caller_ids in the host or caller_id in [provider.telnyx]");
  }
  {
    std::lock_guard lock(mutex_);
    bridgeLocked(request.callId).conferenceName = request.conferenceName;
  }
  const nlohmann::json call =
      client_.send(dial(config_.connectionId, request.to, from, encodeClientState({request.callId, sdk::leg::kContact}),
                        request.callId + ":dial", request.ringTimeoutS, config_.webhookBaseUrl + "/events"));
  sdk::StartCallResult result;
  result.providerCallId = field(call, "call_control_id");
  if (result.providerCallId.empty()) {
    throw sdk::ProviderError(sdk::Status::Unavailable, "Telnyx dialed without a call_control_id");
  }
  result.status = "initiated";
  return result;
}

std::string TelnyxProvider::conferenceOf(const sdk::CallRef& call) {
  if (!call.conferenceId.empty()) return call.conferenceId;
  {
    std::lock_guard lock(mutex_);
    auto it = bridges_.find(call.callId);
    if (it != bridges_.end() && !it->second.conferenceId.empty()) return it->second.conferenceId;
  }
  // Created on another host, whose webhook the host has not stored yet.
  if (state_) {
    try {
      return state_->get("conference:" + call.callId).value_or("");
    } catch (const sdk::ProviderError& e) {
      host().warn("could not read the conference of call '" + call.callId + "' from the shared state: " + e.what());
    }
  }
  return {};
}

bool TelnyxProvider::hangUp(const std::string& callControlId, const std::string& commandId) {
  if (callControlId.empty()) return false;
  try {
    client_.send(hangup(callControlId, commandId));
    return true;
  } catch (const sdk::ProviderError& e) {
    // 90018 "Call has already ended", or an id Telnyx no longer knows.
    if (e.status() == sdk::Status::NotFound) return false;
    throw;
  }
}

sdk::EndCallResult TelnyxProvider::endCall(const sdk::EndCallRequest& request) {
  std::string agentLeg = request.agentLegId;
  if (agentLeg.empty()) {
    std::lock_guard lock(mutex_);
    auto it = bridges_.find(request.callId);
    if (it != bridges_.end() && it->second.legIds.count(sdk::leg::kAgent) != 0) {
      agentLeg = it->second.legIds[sdk::leg::kAgent];
    }
  }
  // One command id per end request: its resends are ignored by Telnyx, a
  // later end request is a new command.
  const std::string attempt = request.callId + ":" + sdk::encoding::toHex(host().crypto().randomBytes(6));
  const bool contactWasLive = hangUp(request.providerCallId, attempt + ":hangup-contact");
  bool live = contactWasLive;
  // Once the contact is hung up the call is over for everyone who matters:
  // a later step that fails is logged, not reported as a failed end (the
  // agent's leg and the conference end when their last participant leaves).
  auto afterContact = [&](const char* step, const std::function<bool()>& run) {
    try {
      live = run() || live;
    } catch (const sdk::ProviderError& e) {
      if (!contactWasLive) throw;
      host().warn(std::string("call '") + request.callId + "': the contact is hung up, but " + step +
                  " failed: " + e.what());
    }
  };
  afterContact("hanging up the agent's leg", [&] { return hangUp(agentLeg, attempt + ":hangup-agent"); });
  if (const std::string conference = conferenceOf(request); !conference.empty()) {
    afterContact("ending the conference", [&] {
      try {
        client_.send(endConference(conference, attempt + ":end"));
        return true;
      } catch (const sdk::ProviderError& e) {
        if (e.status() != sdk::Status::NotFound) throw;  // 90019: already ended
        return false;
      }
    });
  }
  sdk::EndCallResult result;
  result.alreadyEnded = !live;
  return result;
}

sdk::CallStatus TelnyxProvider::callStatus(const sdk::CallStatusRequest& request) {
  if (request.providerCallId.empty()) {
    throw sdk::ProviderError(sdk::Status::NotFound, "call '" + request.callId + "' has no Telnyx call_control_id");
  }
  const nlohmann::json call = client_.send(fetchCall(request.providerCallId));
  sdk::CallStatus status;
  // Call Control tells only whether a leg is alive; the host's record,
  // kept by webhooks, knows ringing from answered.
  status.status = call.value("is_alive", false) ? "in-progress" : "completed";
  status.conferenceId = request.conferenceId;
  status.legs.push_back({sdk::leg::kContact, request.providerCallId, status.status, false, false});
  return status;
}

sdk::ParticipantUpdateResult TelnyxProvider::updateParticipant(const sdk::ParticipantUpdateRequest& request) {
  const std::string conference = conferenceOf(request.call);
  std::string legId = request.leg == sdk::leg::kAgent ? request.call.agentLegId : request.call.providerCallId;
  if (legId.empty()) {
    std::lock_guard lock(mutex_);
    auto it = bridges_.find(request.call.callId);
    if (it != bridges_.end() && it->second.legIds.count(request.leg) != 0) legId = it->second.legIds[request.leg];
  }
  if (conference.empty() || legId.empty()) {
    throw sdk::ProviderError(sdk::Status::NotFound, "the " + request.leg + " leg of call '" + request.call.callId +
                                                        "' is not in a conference");
  }
  sdk::LegSnapshot snapshot;
  snapshot.leg = request.leg;
  snapshot.providerLegId = legId;
  snapshot.state = request.leg == sdk::leg::kAgent ? "connected" : "in-progress";
  try {
    if (request.muted) client_.send(muteParticipant(conference, legId, *request.muted));
    if (request.held) client_.send(holdParticipant(conference, legId, *request.held));
  } catch (const sdk::ProviderError& e) {
    if (e.status() != sdk::Status::Unavailable) throw;
    // Both answers lost (timeout, 5xx, reset): Telnyx may have carried the
    // command out, and sends no webhook for mute or hold, so the record
    // could never catch up. Ask Telnyx what holds now: done is success;
    // not done (or not known) is the error, and the record keeps its state.
    const std::optional<ParticipantState> now = participantState(conference, legId);
    if (!now || (request.muted && now->muted != *request.muted) || (request.held && now->held != *request.held)) {
      throw;
    }
    host().warn("Telnyx lost the answer to a " + std::string(request.muted ? "mute" : "hold") + " of call '" +
                request.call.callId + "', but the conference shows it carried out: " + e.what());
    snapshot.muted = now->muted;
    snapshot.held = now->held;
    return snapshot;
  }
  // Telnyx answers {"result":"ok"}: the state is what was asked.
  snapshot.muted = request.muted.value_or(false);
  snapshot.held = request.held.value_or(false);
  return snapshot;
}

std::optional<TelnyxProvider::ParticipantState> TelnyxProvider::participantState(const std::string& conference,
                                                                                 const std::string& callControlId) {
  try {
    const nlohmann::json participants = client_.send(listParticipants(conference));
    if (!participants.is_array()) return std::nullopt;
    for (const auto& participant : participants) {
      if (participant.is_object() && participant.value("call_control_id", "") == callControlId) {
        return ParticipantState{participant.value("muted", false), participant.value("on_hold", false)};
      }
    }
  } catch (const sdk::ProviderError& e) {
    host().warn("could not read the participants of Telnyx conference '" + conference + "': " + e.what());
  }
  return std::nullopt;
}

sdk::ClientCredential TelnyxProvider::issueClientCredential(const sdk::ClientCredentialRequest& request) {
  if (config_.credentialId.empty()) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument,
                             "the browser leg needs a telephony credential: set credential_id in [provider.telnyx] "
                             "(docs/TELNYX.md)");
  }
  const std::string token = client_.sendText(mintLoginToken(config_.credentialId));
  if (token.empty() || token.find('.') == std::string::npos) {
    throw sdk::ProviderError(sdk::Status::Unavailable, "Telnyx answered the token request without a JWT");
  }
  const int64_t now = host().nowMs() / 1000;
  sdk::ClientCredential credential;
  credential.kind = "telnyx.login_token";
  credential.token = token;
  credential.identity = request.agentId;
  credential.expiresAt = jwtExpiry(token).value_or(now + kMaxLoginTokenS);
  credential.sdk = nlohmann::json::object();
  if (!request.callId.empty()) {
    const int64_t expiresAt = now + std::min<int64_t>(request.ttlS, kMaxLoginTokenS);
    std::string name;
    {
      std::lock_guard lock(mutex_);
      Bridge& bridge = bridgeLocked(request.callId);
      if (bridge.conferenceName.empty()) bridge.conferenceName = request.conferenceName;
      name = bridge.conferenceName;
    }
    // The page places a call with this state; the credential connection
    // parks it ("Park outbound calls") and the plugin answers it into the
    // bridge. Telnyx validates the destination like any dial's `to` (+E.164
    // or a sip: URI), so the leg dials the call's own caller ID: a number
    // Telnyx accepts that is ours, never the contact's, so the contact could
    // not be rung twice even if parking were switched off.
    const std::string destination = request.from.empty() ? config_.callerId : request.from;
    if (destination.empty()) {
      throw sdk::ProviderError(sdk::Status::InvalidArgument,
                               "the browser leg needs a number to dial: the host sent no caller ID and caller_id is "
                               "not set in [provider.telnyx]");
    }
    credential.sdk["client_state"] = sealAgentState(request.callId, expiresAt);
    credential.sdk["destination"] = destination;
    credential.sdk["conference_name"] = name.empty() ? request.callId : name;
    credential.sdk["session_id"] = request.sessionId;
  }
  return credential;
}

std::string TelnyxProvider::sharedConference(const std::string& callId) {
  if (!state_) {
    return {};  // one host: this one creates it
  }
  const std::string key = "conference:" + callId;
  if (auto id = state_->get(key)) {
    return *id;
  }
  // Exactly one host creates the conference; the others wait for its id.
  const std::string token = sdk::encoding::toHex(host().crypto().randomBytes(8));
  if (state_->claim("conference-creator:" + callId, token, kCreatorClaim) == token) {
    return {};
  }
  const auto deadline = std::chrono::steady_clock::now() + kCreateWait;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (auto id = state_->get(key)) {
      return *id;
    }
  }
  // The webhook fails and Telnyx redelivers it: by then the conference
  // exists, or the creator's claim has lapsed and this host creates it.
  throw sdk::ProviderError(sdk::Status::Unavailable, "another host has been creating the conference of call '" +
                                                         callId + "' for " + std::to_string(kCreateWait.count()) +
                                                         " s");
}

void TelnyxProvider::bridgeLeg(const std::string& callId, const std::string& leg, const std::string& callControlId,
                               const std::string& clientState) {
  std::string conference;
  std::string name;
  {
    std::unique_lock lock(mutex_);
    bridgeLocked(callId).legIds[leg] = callControlId;
    if (!bridgeLocked(callId).bridged.insert(callControlId).second) {
      return;  // a redelivered call.answered: this leg is already in (or going in)
    }
    // The other leg is creating the conference: wait for it, then join, in
    // this webhook, so that a failure here is redelivered and tried again.
    created_.wait_for(lock, kCreateWait, [&] { return !bridgeLocked(callId).creating; });
    Bridge& bridge = bridgeLocked(callId);
    conference = bridge.conferenceId;
    if (conference.empty()) {
      bridge.creating = true;
      name = bridge.conferenceName.empty() ? callId : bridge.conferenceName;
    }
  }
  const bool creatingHere = conference.empty();
  auto settle = [&](const std::string& id) {
    {
      std::lock_guard lock(mutex_);
      Bridge& bridge = bridgeLocked(callId);
      if (!id.empty()) bridge.conferenceId = id;
      bridge.creating = false;
    }
    created_.notify_all();
  };
  try {
    if (creatingHere) {
      // The other leg may have been answered on another host, which made
      // the conference (or is making it) there.
      conference = sharedConference(callId);
      if (!conference.empty()) settle(conference);
    }
    if (!conference.empty()) {
      // The contact leaving ends the bridge; the agent's browser leg may drop
      // and come back (a reload): the host decides when to give up on it
      // (calls.agent_join_timeout_s).
      const bool endOnExit = leg == sdk::leg::kContact;
      client_.send(joinConference(conference, callControlId, "join:" + callControlId, clientState, endOnExit));
      return;
    }
    const nlohmann::json created = client_.send(createConference(callControlId, name, callId + ":conference"));
    const std::string id = field(created, "id");
    if (state_ && !id.empty()) {
      state_->put("conference:" + callId, id, kSharedStateTtl);
    }
    settle(id);
  } catch (...) {
    // 90034 and the like: we answer the webhook with an error, Telnyx
    // redelivers it, and this leg is tried again then.
    {
      std::lock_guard lock(mutex_);
      Bridge& bridge = bridgeLocked(callId);
      bridge.bridged.erase(callControlId);
      if (creatingHere && bridge.conferenceId.empty()) bridge.creating = false;
    }
    created_.notify_all();
    if (creatingHere && conference.empty() && state_) {
      try {
        state_->remove("conference-creator:" + callId);  // the redelivery (on any host) may create it
      } catch (const sdk::ProviderError& e) {
        host().warn("call '" + callId + "': could not give up the claim to create its conference: " + e.what());
      }
    }
    throw;
  }
}

sdk::WebhookResult TelnyxProvider::onWebhook(const sdk::HttpRequest& request) {
  const SignatureVerdict verdict = verifyWebhook(
      host().crypto(), config_.publicKey, request.header("telnyx-timestamp").value_or(""),
      request.header("telnyx-signature-ed25519").value_or(""), request.body, host().nowMs() / 1000, config_.toleranceS);
  if (!verdict.valid) {
    throw sdk::ProviderError(sdk::Status::Unauthenticated, verdict.reason);
  }
  const nlohmann::json envelope = nlohmann::json::parse(request.body, nullptr, false);
  sdk::WebhookResult result;
  result.reply = {200, {{"Content-Type", "application/json"}}, "{}"};
  const nlohmann::json data = envelope.is_object() ? envelope.value("data", nlohmann::json::object()) : nullptr;
  const nlohmann::json payload = data.is_object() ? data.value("payload", nlohmann::json::object()) : nullptr;
  const nlohmann::json clientState = payload.is_object() ? payload.value("client_state", nlohmann::json()) : nullptr;
  const auto state = decodeClientState(clientState);
  const std::string type = field(data, "event_type");
  const std::string callControlId = field(payload, "call_control_id");

  // The browser sets its own leg's client_state: only a sealed one counts,
  // and only an unexpired one may start a leg (its later events, an hour
  // into a long call, still count).
  if (state && state->leg == sdk::leg::kAgent && !agentStateValid(clientState, type == "call.initiated")) {
    host().warn("a browser leg with a forged or expired client_state (" + callControlId + "): hanging it up");
    if (type == "call.initiated") hangUp(callControlId, "reject:" + callControlId);
    return result;
  }
  result.events = webhookEvents(envelope, host().nowMs());
  if (!state) return result;

  if (type == "call.initiated" && state->leg == sdk::leg::kAgent && field(payload, "state") == "parked") {
    // The page's call, parked by the credential connection: take it.
    client_.send(answer(callControlId, clientState.get<std::string>(), "answer:" + callControlId));
  } else if (type == "call.answered") {
    bridgeLeg(state->callId, state->leg, callControlId, clientState.get<std::string>());
  }
  return result;
}

}  // namespace sb::telnyx

// The id, name and version come from sb_add_provider_plugin() in CMakeLists.txt.
SB_PROVIDER(sb::telnyx::TelnyxProvider, sb::sdk::Capabilities(sb::sdk::Topology::Bridge)
                                            .operations(sb::sdk::kAllOperations)
                                            .mute()
                                            .hold()
                                            .clientCredential("telnyx.login_token")
                                            .webhookSignature("ed25519"))

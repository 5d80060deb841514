#include "TwilioProvider.h"

#include "AccessToken.h"
#include "DialSession.h"
#include "TwiML.h"
#include "TwilioEvents.h"
#include "TwilioSignature.h"

#include <switchboard/sdk/define_provider.hpp>
#include <switchboard/sdk/encoding.hpp>

namespace sb::twilio {
namespace {

constexpr size_t kMaxRemembered = 1000;
/// Longer than any call: what a call's callbacks taught us is kept that long.
constexpr std::chrono::hours kSharedStateTtl{24};

using sdk::encoding::FormFields;

std::string field(const FormFields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

bool isFinal(const std::string& status) {
  return status == "completed" || status == "busy" || status == "failed" || status == "no-answer" ||
         status == "canceled";
}

/// Twilio identities allow letters, digits and a few marks; anything else
/// becomes '_' so that From=client:<identity> round-trips.
std::string identityFor(const std::string& agentId) {
  std::string identity;
  for (const char c : agentId.substr(0, 121)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.' || c == '@';
    identity += ok ? c : '_';
  }
  return identity;
}

sdk::HttpResponse xmlReply(std::string body) {
  return {200, {{"Content-Type", "text/xml; charset=utf-8"}}, std::move(body)};
}

/// The endpoint name: the path's last segment ("/webhooks/twilio/voice").
std::string endpointOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// The part of the path after "/webhooks/<id>", to rebuild the URL Twilio
/// was given from webhook_base_url.
std::string suffixAfterProvider(const std::string& path) {
  const std::string marker = "/webhooks/twilio";
  const size_t at = path.find(marker);
  return at == std::string::npos ? path : path.substr(at + marker.size());
}

}  // namespace

TwilioProvider::TwilioProvider(sdk::Host host, sdk::Config config)
    : Provider(host, std::move(config)),
      config_(TwilioConfig::from(this->config(), this->host().crypto())),
      client_(this->host(), config_),
      state_(this->host().state()) {
  this->host().info("Twilio account " + config_.accountSid + " via " + config_.baseUrl + "; webhooks at " +
                    config_.webhookBaseUrl + "; REST as " +
                    (config_.apiKeySid.empty() ? "the account" : "API key " + config_.apiKeySid));
  if (config_.twimlAppSid.empty() || config_.apiKeySid.empty()) {
    this->host().warn("no api_key_sid/api_key_secret/twiml_app_sid: calls can be placed, but no browser can join them");
  } else {
    this->host().info("set the voice URL of TwiML App " + config_.twimlAppSid + " to " + config_.webhookBaseUrl +
                      "/voice");
  }
}

std::string TwilioProvider::callbackUrl(const std::string& endpoint, const FormFields& query) const {
  return config_.webhookBaseUrl + "/" + endpoint + (query.empty() ? "" : "?" + sdk::encoding::formEncode(query));
}

std::string TwilioProvider::conferenceCallbackUrl(const std::string& callId) const {
  return callbackUrl("conference", {{"call_id", callId}});
}

std::optional<std::string> TwilioProvider::sharedGet(const std::string& key) const {
  if (!state_) {
    return std::nullopt;
  }
  try {
    return state_->get(key);
  } catch (const sdk::ProviderError& e) {
    host().warn("could not read '" + key + "' from the host's shared state: " + e.what());
    return std::nullopt;
  }
}

void TwilioProvider::sharedPut(const std::string& key, const std::string& value) const {
  if (!state_) {
    return;
  }
  try {
    state_->put(key, value, kSharedStateTtl);
  } catch (const sdk::ProviderError& e) {
    host().warn("could not keep '" + key + "' in the host's shared state (other hosts will not know it): " + e.what());
  }
}

std::string TwilioProvider::rememberAbandoned(const std::string& callId) {
  std::string sid;
  {
    std::lock_guard lock(mutex_);
    if (abandoned_.insert(callId).second) {
      abandonedOrder_.push_back(callId);
    }
    while (abandonedOrder_.size() > kMaxRemembered) {
      abandoned_.erase(abandonedOrder_.front());
      abandonedOrder_.pop_front();
    }
    if (auto it = legs_.find(callId); it != legs_.end()) {
      sid = it->second;
    }
  }
  sharedPut("abandoned:" + callId, "1");
  // The leg's first callback may have reached another host.
  return sid.empty() ? sharedGet("leg:" + callId).value_or("") : sid;
}

void TwilioProvider::rememberLeg(const std::string& callId, const std::string& callSid) {
  {
    std::lock_guard lock(mutex_);
    if (callSid.empty() || !legs_.emplace(callId, callSid).second) {
      return;
    }
    legsOrder_.push_back(callId);
    while (legsOrder_.size() > kMaxRemembered) {
      legs_.erase(legsOrder_.front());
      legsOrder_.pop_front();
    }
  }
  sharedPut("leg:" + callId, callSid);
}

bool TwilioProvider::isAbandoned(const std::string& callId) const {
  {
    std::lock_guard lock(mutex_);
    if (abandoned_.count(callId) != 0) {
      return true;
    }
  }
  // Given up on by another host (its POST /Calls lost its answer there).
  return sharedGet("abandoned:" + callId).has_value();
}

sdk::StartCallResult TwilioProvider::startCall(const sdk::StartCallRequest& request) {
  const std::string from = request.from.empty() ? config_.callerId : request.from;
  if (from.empty()) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument,
                             "no caller ID: set calls.caller_ids in the host or caller_id in [provider.twilio]");
  }
  const RestRequest create = createCall(
      config_.accountSid, request.to, from,
      callbackUrl("contact", {{"call_id", request.callId}, {"conference", request.conferenceName}}),
      callbackUrl("call-status", {{"call_id", request.callId}, {"leg", sdk::leg::kContact}}), request.ringTimeoutS);
  nlohmann::json created;
  try {
    created = client_.send(create);
  } catch (const sdk::ProviderError& e) {
    if (e.status() == sdk::Status::Unavailable) {
      // Twilio may have placed the call before the answer was lost: the leg
      // is hung up, now if a callback already named it, else when one does.
      if (const std::string sid = rememberAbandoned(request.callId); !sid.empty()) {
        hangUpAbandoned(request.callId, {{"CallSid", sid}});
      }
    }
    throw;
  }
  sdk::StartCallResult result;
  result.providerCallId = created.value("sid", "");
  if (result.providerCallId.empty()) {
    rememberAbandoned(request.callId);
    throw sdk::ProviderError(sdk::Status::Unavailable, "Twilio created a call without a sid");
  }
  result.status = "initiated";
  return result;
}

std::string TwilioProvider::conferenceSid(const sdk::CallRef& call) const {
  if (!call.conferenceId.empty()) {
    return call.conferenceId;
  }
  if (call.conferenceName.empty()) {
    return {};
  }
  const nlohmann::json list = client_.send(findConference(config_.accountSid, call.conferenceName));
  if (auto it = list.find("conferences"); it != list.end() && it->is_array()) {
    for (const auto& conference : *it) {
      if (conference.value("status", "") != "completed" &&
          conference.value("friendly_name", "") == call.conferenceName) {
        return conference.value("sid", "");
      }
    }
  }
  return {};
}

sdk::EndCallResult TwilioProvider::endCall(const sdk::EndCallRequest& request) {
  bool contactWasLive = false;
  if (!request.providerCallId.empty()) {
    const nlohmann::json call = client_.send(fetchCall(config_.accountSid, request.providerCallId));
    if (!isFinal(call.value("status", ""))) {
      try {
        client_.send(hangUpCall(config_.accountSid, request.providerCallId));
        contactWasLive = true;
      } catch (const sdk::ProviderError& e) {
        // It ended between the fetch and the hang-up (21220: not in progress).
        if (e.status() != sdk::Status::ProviderRejected && e.status() != sdk::Status::NotFound) {
          throw;
        }
      }
    }
  }
  bool conferenceWasLive = false;
  if (const std::string sid = conferenceSid(request); !sid.empty()) {
    try {
      client_.send(endConference(config_.accountSid, sid));
      conferenceWasLive = true;
    } catch (const sdk::ProviderError& e) {
      // Ending a completed conference is a 4xx: it is over, as asked.
      if (e.status() != sdk::Status::ProviderRejected && e.status() != sdk::Status::NotFound) {
        if (!contactWasLive) {
          throw;
        }
        // The contact is hung up: the call is over for the agent too
        // (endConferenceOnExit ends the bridge), so the end succeeded.
        host().warn("call '" + request.callId + "': the contact is hung up, but ending conference " + sid +
                    " failed: " + e.what());
      }
    }
  }
  sdk::EndCallResult result;
  result.alreadyEnded = !contactWasLive && !conferenceWasLive;
  return result;
}

sdk::CallStatus TwilioProvider::callStatus(const sdk::CallStatusRequest& request) {
  if (request.providerCallId.empty()) {
    throw sdk::ProviderError(sdk::Status::NotFound, "call '" + request.callId + "' has no Twilio call SID");
  }
  const nlohmann::json call = client_.send(fetchCall(config_.accountSid, request.providerCallId));
  sdk::CallStatus status;
  status.status = call.value("status", "");
  if (status.status == "queued") {
    status.status = "initiated";  // REST says queued where callbacks say initiated
  }
  status.conferenceId = request.conferenceId;
  status.legs.push_back({sdk::leg::kContact, request.providerCallId, status.status, false, false});
  return status;
}

sdk::ParticipantUpdateResult TwilioProvider::updateParticipant(const sdk::ParticipantUpdateRequest& request) {
  const std::string sid = conferenceSid(request.call);
  if (sid.empty()) {
    throw sdk::ProviderError(sdk::Status::NotFound, "the conference of call '" + request.call.callId +
                                                        "' has not started: nobody is in it yet");
  }
  // The label we gave each leg's TwiML names the participant.
  const nlohmann::json participant =
      client_.send(twilio::updateParticipant(config_.accountSid, sid, request.leg, request.muted, request.held));
  sdk::LegSnapshot snapshot;
  snapshot.leg = request.leg;
  snapshot.providerLegId = participant.value("call_sid", "");
  const std::string status = participant.value("status", "connected");
  snapshot.state = status == "connected" ? (request.leg == sdk::leg::kAgent ? "connected" : "in-progress")
                                         : (request.leg == sdk::leg::kAgent ? "connecting" : "ringing");
  snapshot.muted = participant.value("muted", false);
  snapshot.held = participant.value("hold", false);
  return snapshot;
}

sdk::ClientCredential TwilioProvider::issueClientCredential(const sdk::ClientCredentialRequest& request) {
  if (config_.apiKeySid.empty() || config_.twimlAppSid.empty()) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument,
                             "the browser leg needs an Access Token: set api_key_sid, api_key_secret and "
                             "twiml_app_sid in [provider.twilio] (docs/TWILIO.md)");
  }
  const int64_t now = host().nowMs() / 1000;
  AccessTokenSpec spec;
  spec.accountSid = config_.accountSid;
  spec.apiKeySid = config_.apiKeySid;
  spec.apiKeySecret = config_.apiKeySecret;
  spec.identity = identityFor(request.agentId);
  spec.applicationSid = config_.twimlAppSid;
  spec.region = config_.region;
  spec.issuedAt = now;
  spec.ttlS = std::min(request.ttlS, config_.tokenTtlS);

  sdk::ClientCredential credential;
  credential.kind = "twilio.access_token";
  credential.token = buildAccessToken(host().crypto(), spec);
  credential.identity = spec.identity;
  credential.expiresAt = now + spec.ttlS;
  credential.sdk = {{"token_refresh_ms", 60000}};
  if (!config_.edge.empty()) {
    credential.sdk["edge"] = config_.edge;
  }
  if (!request.callId.empty()) {
    if (request.conferenceName.empty()) {
      throw sdk::ProviderError(sdk::Status::InvalidArgument,
                               "the host gave no conference name for call '" + request.callId + "'");
    }
    const DialSession session{request.callId, request.conferenceName, spec.identity, credential.expiresAt};
    // The page passes these to Device.connect({params}); Twilio forwards
    // them to the TwiML App's voice URL.
    credential.sdk["params"] = {{"session", sealSession(host().crypto(), config_.sessionKey, session)}};
    credential.sdk["session_id"] = request.sessionId;
  }
  return credential;
}

sdk::HttpResponse TwilioProvider::voiceTwiml(const FormFields& params) const {
  std::string why;
  const auto session =
      openSession(host().crypto(), config_.sessionKey, field(params, "session"), host().nowMs() / 1000, why);
  if (session && field(params, "From") != "client:" + session->identity) {
    why = "the dial session belongs to another agent";
  } else if (session) {
    ConferenceTwiml twiml;
    twiml.conferenceName = session->conferenceName;
    twiml.participantLabel = sdk::leg::kAgent;
    // The agent's page may drop and come back (a reload) with a new leg: its
    // leaving does not end the bridge; the host gives up on it after
    // calls.agent_join_timeout_s and ends the call itself.
    twiml.endConferenceOnExit = false;
    twiml.statusCallback = conferenceCallbackUrl(session->callId);
    return xmlReply(conferenceTwiml(twiml));
  }
  host().warn("refused a browser leg (CallSid " + field(params, "CallSid") + "): " + why);
  return xmlReply(rejectTwiml());
}

sdk::HttpResponse TwilioProvider::contactTwiml(const FormFields& query) const {
  const std::string callId = field(query, "call_id");
  const std::string conference = field(query, "conference");
  if (callId.empty() || conference.empty() || isAbandoned(callId)) {
    return xmlReply(hangupTwiml());
  }
  ConferenceTwiml twiml;
  twiml.conferenceName = conference;
  twiml.participantLabel = sdk::leg::kContact;
  twiml.statusCallback = conferenceCallbackUrl(callId);
  return xmlReply(conferenceTwiml(twiml));
}

void TwilioProvider::hangUpAbandoned(const std::string& callId, const FormFields& params) const {
  const std::string callSid = field(params, "CallSid");
  if (callSid.empty() || isFinal(field(params, "CallStatus"))) {
    return;
  }
  host().warn("call " + callId + ": Twilio placed leg " + callSid +
              " although its POST /Calls failed; hanging it up so the contact is not rung for nothing");
  try {
    client_.send(hangUpCall(config_.accountSid, callSid));
  } catch (const sdk::ProviderError& e) {
    host().warn("call " + callId + ": could not hang up leg " + callSid + ": " + e.what());
  }
}

sdk::WebhookResult TwilioProvider::onWebhook(const sdk::HttpRequest& request) {
  const std::string contentType = request.header("Content-Type").value_or("");
  const std::string signature = request.header("X-Twilio-Signature").value_or("");
  // The URL as the host rebuilt it from public_base_url, then as we gave it
  // to Twilio from webhook_base_url (they differ behind a rewriting proxy).
  const std::string query = request.query.empty() ? "" : "?" + request.query;
  SignatureVerdict verdict =
      verifySignature(host().crypto(), config_.authToken, request.url, contentType, request.body, signature);
  if (!verdict.valid) {
    const std::string configured = config_.webhookBaseUrl + suffixAfterProvider(request.path) + query;
    if (configured != request.url &&
        verifySignature(host().crypto(), config_.authToken, configured, contentType, request.body, signature).valid) {
      verdict.valid = true;
    }
  }
  if (!verdict.valid) {
    throw sdk::ProviderError(sdk::Status::Unauthenticated, verdict.reason);
  }

  const FormFields queryFields = sdk::encoding::parseForm(request.query);
  const FormFields params = request.method == "GET" ? queryFields : sdk::encoding::parseForm(request.body);
  const std::string endpoint = endpointOf(request.path);
  const std::string callId = field(queryFields, "call_id");
  const int64_t now = host().nowMs();

  sdk::WebhookResult result;
  result.reply = xmlReply(emptyTwiml());
  if (endpoint == "voice") {
    result.reply = voiceTwiml(params);
  } else if (endpoint == "contact") {
    result.reply = contactTwiml(queryFields);
  } else if (endpoint == "call-status" && !callId.empty()) {
    rememberLeg(callId, field(params, "CallSid"));
    if (isAbandoned(callId)) {
      hangUpAbandoned(callId, params);
    }
    const std::string leg = field(queryFields, "leg").empty() ? sdk::leg::kContact : field(queryFields, "leg");
    result.events = callProgressEvents(params, callId, leg, now);
  } else if (endpoint == "conference" && !callId.empty()) {
    result.events = conferenceEvents(params, callId, now);
  } else {
    host().warn("a signed Twilio request for an unknown endpoint '" + request.path + "'");
    result.reply = {404, {{"Content-Type", "text/plain"}}, "unknown Twilio webhook endpoint\n"};
  }
  return result;
}

}  // namespace sb::twilio

// The id, name and version come from sb_add_provider_plugin() in CMakeLists.txt.
SB_PROVIDER(sb::twilio::TwilioProvider, sb::sdk::Capabilities(sb::sdk::Topology::Bridge)
                                            .operations(sb::sdk::kAllOperations)
                                            .mute()
                                            .hold()
                                            .clientCredential("twilio.access_token")
                                            .webhookSignature("x-twilio-signature"))

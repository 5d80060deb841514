// The smallest useful provider: it "places" calls that are instantly
// answered and remembers them in memory, and it accepts webhooks signed with
// a shared secret (header X-Echo-Signature: hex HMAC-SHA256 of the body).
// Read it next to sdk/docs/WRITING_A_PROVIDER.md.
#include <switchboard/sdk/sdk.hpp>

#include <map>
#include <mutex>

namespace {

using namespace sb::sdk;

class EchoProvider final : public Provider {
 public:
  EchoProvider(Host host, Config config) : Provider(host, std::move(config)) {
    secret_ = this->config().getString("secret", "echo-secret");
  }

  StartCallResult startCall(const StartCallRequest& request) override {
    std::lock_guard lock(mutex_);
    calls_[request.callId] = "in-progress";
    host().info("echo: call " + request.callId + " answered at once");
    StartCallResult result;
    result.providerCallId = "echo-" + request.callId;
    result.conferenceId = "echo-conf-" + request.callId;
    result.status = "initiated";
    return result;
  }

  EndCallResult endCall(const EndCallRequest& request) override {
    std::lock_guard lock(mutex_);
    EndCallResult result;
    auto& state = calls_[request.callId];
    result.alreadyEnded = state == "completed";
    state = "completed";
    return result;
  }

  CallStatus callStatus(const CallStatusRequest& request) override {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(request.callId);
    if (it == calls_.end()) {
      throw ProviderError(Status::NotFound, "echo has no call '" + request.callId + "'");
    }
    CallStatus status;
    status.status = it->second;
    status.legs.push_back({leg::kContact, "echo-" + request.callId, it->second, false, false});
    return status;
  }

  ParticipantUpdateResult updateParticipant(const ParticipantUpdateRequest& request) override {
    return {request.leg, "", "in-progress", request.muted.value_or(false), request.held.value_or(false)};
  }

  ClientCredential issueClientCredential(const ClientCredentialRequest& request) override {
    ClientCredential credential;
    credential.kind = "echo";
    credential.token = encoding::toHex(host().crypto().randomBytes(16));
    credential.identity = request.agentId;
    credential.expiresAt = host().nowMs() / 1000 + request.ttlS;
    return credential;
  }

  WebhookResult onWebhook(const HttpRequest& request) override {
    const auto signature = request.header("X-Echo-Signature");
    const std::string expected = encoding::toHex(host().crypto().hmac("sha256", secret_, request.body));
    if (!signature || *signature != expected) {
      throw ProviderError(Status::Unauthenticated, "bad X-Echo-Signature");
    }
    WebhookResult result;
    const auto body = nlohmann::json::parse(request.body);
    CallEvent event;
    event.eventKey = "echo:" + body.at("id").get<std::string>();
    event.type = body.at("type").get<std::string>();
    event.callId = body.value("call_id", "");
    event.occurredAtMs = host().nowMs();
    result.events.push_back(event);
    result.reply.status = 204;
    return result;
  }

 private:
  std::string secret_;
  std::mutex mutex_;
  std::map<std::string, std::string> calls_;
};

}  // namespace

SB_DEFINE_PROVIDER(EchoProvider, "echo", "Echo example provider", "1.0.0",
                   R"({"topology":"bridge","supports_mute":true,"supports_hold":true,"client_credential":"echo",)"
                   R"("operations":["call.start","call.end","call.status","participant.update",)"
                   R"("client_credential.issue"]})")

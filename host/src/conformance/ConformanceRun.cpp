#include "conformance/ConformanceRun.h"

#include "conformance/ScratchHost.h"

#include <switchboard/abi/provider_abi.h>
#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/core/net/HttpClient.h>
#include <switchboard/core/plugin/EventCheck.h>
#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/plugin/ProviderProxy.h>
#include <switchboard/core/plugin/SdkSchemas.h>
#include <switchboard/sdk/capabilities.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

namespace sb::host::conformance {
namespace {

using sdk::Status;

constexpr int64_t kStaleSeconds = 3600;

int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string nameOf(Status status) {
  return std::string(sdk::statusName(status));
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    out += (out.empty() ? "" : "; ") + part;
  }
  return out;
}

class Runner {
 public:
  Runner(const core::LoadedPluginPtr& plugin, const nlohmann::json& config,
         const std::optional<WebhookFixture>& fixture, const RunOptions& options)
      : plugin_(plugin), config_(config), fixture_(fixture), options_(options) {
    callId_ = "conf_" + core::crypto::toHex(core::crypto::randomBytes(6));
    conferenceName_ = "sb_" + callId_;
    for (const auto& operation : plugin_->capabilities().value("operations", nlohmann::json::array())) {
      if (operation.is_string()) declared_.insert(operation.get<std::string>());
    }
  }

  ~Runner() {
    if (host_) host_->stop();  // no webhook may reach the provider as it goes
  }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  Report run() {
    checkDescriptor();
    if (!create()) {
      return std::move(report_);
    }
    checkRefusals();
    if (!declared(sdk::op::kCallStart)) {
      skip("the call flow", "call.start is not declared, so no call can be placed");
      return std::move(report_);
    }
    if (!startCall()) {
      return std::move(report_);
    }
    issueCredential();
    if (options_.settle.count() > 0) {
      std::this_thread::sleep_for(options_.settle);
    }
    checkWebhooks(false);
    checkStatus();
    checkParticipants();
    checkWebhooks(true);
    endCall();
    host_->stop();
    checkReceived();
    return std::move(report_);
  }

 private:
  void pass(const std::string& name, const std::string& detail = {}) {
    report_.checks.push_back({name, Verdict::Pass, detail});
  }
  void fail(const std::string& name, const std::string& detail) {
    report_.checks.push_back({name, Verdict::Fail, detail});
  }
  void skip(const std::string& name, const std::string& detail) {
    report_.checks.push_back({name, Verdict::Skip, detail});
  }
  bool declared(const std::string& operation) const { return declared_.count(operation) > 0; }

  /// The operation's result, or the plugin's error; a result that breaks
  /// its schema fails `check`.
  std::optional<nlohmann::json> invoke(const std::string& check, const std::string& operation,
                                       const nlohmann::json& request) {
    try {
      nlohmann::json result = proxy_->invoke(operation, request);
      const auto problems = core::sdkSchemaProblems(operation + ".result", result);
      if (!problems.empty()) {
        fail(check, "the result does not match " + operation + ".result.schema.json: " + joined(problems) +
                        " (result: " + result.dump() + ")");
        return std::nullopt;
      }
      return result;
    } catch (const core::ProviderError& e) {
      fail(check, operation + " failed with " + nameOf(e.status()) + ": " + e.what());
      return std::nullopt;
    }
  }

  void checkDescriptor() {
    const std::string abi = plugin_->abiVersion();
    const auto dot = abi.find('.');
    const unsigned long major = dot == std::string::npos ? 0 : std::strtoul(abi.c_str(), nullptr, 10);
    const unsigned long minor = dot == std::string::npos ? 0 : std::strtoul(abi.c_str() + dot + 1, nullptr, 10);
    if (major == SB_ABI_MAJOR && minor <= SB_ABI_MINOR) {
      pass("loads through the host's loader",
           "ABI " + abi + " on a host of ABI " + std::to_string(SB_ABI_MAJOR) + "." + std::to_string(SB_ABI_MINOR));
    } else {
      fail("loads through the host's loader", "ABI " + abi + " cannot run on this host");
    }
    const auto problems = core::sdkSchemaProblems("capabilities", plugin_->capabilities());
    std::vector<std::string> missing;
    for (const char* required : {sdk::op::kCallStart, sdk::op::kCallEnd, sdk::op::kCallStatus}) {
      if (!declared(required)) missing.emplace_back(required);
    }
    if (!problems.empty()) {
      fail("capabilities", "they do not match capabilities.schema.json: " + joined(problems));
    } else if (!missing.empty()) {
      fail("capabilities",
           "a provider must declare and implement call.start, call.end and call.status; missing: " + joined(missing));
    } else {
      pass("capabilities", plugin_->capabilities().dump());
    }
  }

  bool create() {
    try {
      host_ = std::make_unique<ScratchHost>(options_.listenHost, options_.listenPort, options_.publicBaseUrl);
      if (!config_.contains("webhook_base_url")) {
        config_["webhook_base_url"] = host_->publicBaseUrl() + "/webhooks/" + plugin_->id();
      }
      webhookBaseUrl_ = config_["webhook_base_url"].get<std::string>();
      core::ProviderLimits limits;
      limits.operationDeadline = options_.operationDeadline;
      proxy_ = std::make_unique<core::ProviderProxy>(plugin_, config_, std::make_shared<const core::HttpClient>(),
                                                     limits, host_->state());
      host_->forwardTo(proxy_.get());
      pass("created with its configuration", "webhook_base_url " + webhookBaseUrl_);
      return true;
    } catch (const std::exception& e) {
      fail("created with its configuration", std::string("the plugin refused its configuration: ") + e.what());
      return false;
    }
  }

  Status statusOf(const std::string& operation, const nlohmann::json& request) {
    try {
      proxy_->invoke(operation, request);
      return Status::Ok;
    } catch (const core::ProviderError& e) {
      return e.status();
    }
  }

  void checkRefusals() {
    const Status unknown = statusOf("conformance.no_such_operation", {{"call_id", callId_}});
    if (unknown == Status::Unsupported) {
      pass("an unknown operation is UNSUPPORTED");
    } else {
      fail("an unknown operation is UNSUPPORTED", "it answered " + nameOf(unknown));
    }

    // Requests the host never sends, each a field missing or mistyped: the
    // plugin must say INVALID_ARGUMENT before it reaches its carrier.
    const std::vector<std::pair<std::string, nlohmann::json>> bad = {
        {sdk::op::kCallStart, {{"call_id", callId_}}},
        {sdk::op::kCallStart, {{"call_id", 7}, {"to", options_.to}, {"conference_name", conferenceName_}}},
        {sdk::op::kCallEnd, nlohmann::json::array()},
        {sdk::op::kCallStatus, {{"call_id", nullptr}}},
        {sdk::op::kParticipantUpdate, {{"call_id", callId_}, {"leg", "agent"}}},
        {sdk::op::kParticipantUpdate, {{"call_id", callId_}, {"leg", "robot"}, {"muted", true}}},
        {sdk::op::kClientCredentialIssue, {{"agent_id", "a"}, {"ttl_s", 0}}},
    };
    std::vector<std::string> wrong;
    for (const auto& [operation, request] : bad) {
      if (!declared(operation)) continue;
      const Status status = statusOf(operation, request);
      if (status != Status::InvalidArgument) {
        wrong.push_back(operation + " " + request.dump() + " answered " + nameOf(status));
      }
    }
    if (wrong.empty()) {
      pass("malformed requests are INVALID_ARGUMENT");
    } else {
      fail("malformed requests are INVALID_ARGUMENT", joined(wrong));
    }

    // Anyone can post to a webhook URL: with no signature at all, a plugin
    // must refuse, whatever the body says.
    sdk::HttpRequest forged;
    forged.method = "POST";
    forged.url = webhookBaseUrl_ + "/events?call_id=" + callId_;
    const size_t scheme = forged.url.find("://");
    const size_t path = forged.url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    const std::string target = path == std::string::npos ? "/" : forged.url.substr(path);
    forged.path = target.substr(0, target.find('?'));
    forged.query = "call_id=" + callId_;
    forged.headers = {{"Content-Type", "application/json"}};
    forged.body = nlohmann::json{{"event_key", "forged"}, {"type", "leg.ended"}, {"call_id", callId_}}.dump();
    expectRefused("an unsigned webhook is refused", forged);

    std::vector<std::string> undeclared;
    for (const auto operation : sdk::kAllOperations) {
      if (declared(sdk::name(operation))) continue;
      const Status status = statusOf(sdk::name(operation), {{"call_id", callId_}, {"conference_name", "x"}});
      if (status != Status::Unsupported && status != Status::InvalidArgument) {
        undeclared.push_back(std::string(sdk::name(operation)) + " answered " + nameOf(status));
      }
    }
    if (undeclared.empty()) {
      pass("operations not declared are UNSUPPORTED");
    } else {
      fail("operations not declared are UNSUPPORTED", joined(undeclared) + "; declare them in the capabilities");
    }
  }

  bool startCall() {
    nlohmann::json request = {{"call_id", callId_},
                              {"agent_id", "conformance-agent"},
                              {"to", options_.to},
                              {"conference_name", conferenceName_},
                              {"ring_timeout_s", 30}};
    if (!options_.from.empty()) request["from"] = options_.from;
    const auto started = invoke("call.start places a call", sdk::op::kCallStart, request);
    if (!started) {
      return false;
    }
    started_ = *started;
    pass("call.start places a call", "provider_call_id " + started_.value("provider_call_id", std::string()));
    return true;
  }

  nlohmann::json callRef() const {
    nlohmann::json ref = {{"call_id", callId_},
                          {"conference_name", conferenceName_},
                          {"provider_call_id", started_.value("provider_call_id", std::string())}};
    if (started_.contains("conference_id")) ref["conference_id"] = started_["conference_id"];
    return ref;
  }

  void issueCredential() {
    if (!declared(sdk::op::kClientCredentialIssue)) {
      return;
    }
    const nlohmann::json request = {{"call_id", callId_},
                                    {"agent_id", "conformance-agent"},
                                    {"session_id", "conformance-session"},
                                    {"conference_name", conferenceName_},
                                    {"ttl_s", 600}};
    const auto issued = invoke("client_credential.issue", sdk::op::kClientCredentialIssue, request);
    if (!issued) return;
    const int64_t expires = issued->value("expires_at", int64_t{0});
    if (expires <= nowSeconds()) {
      fail("client_credential.issue", "expires_at " + std::to_string(expires) + " is not in the future");
    } else {
      pass("client_credential.issue", "kind " + issued->value("kind", std::string()));
    }
  }

  Placeholders placeholders() const {
    return {{"call_id", callId_},
            {"provider_call_id", started_.value("provider_call_id", std::string())},
            {"conference_name", conferenceName_},
            {"conference_id", started_.value("conference_id", std::string())},
            {"agent_id", "conformance-agent"},
            {"to", options_.to},
            {"from", options_.from},
            {"nonce", core::crypto::toHex(core::crypto::randomBytes(8))}};
  }

  /// Each event valid against the schema and naming our call.
  std::vector<std::string> eventProblems(const nlohmann::json& events) const {
    std::vector<std::string> problems;
    const std::string contactLeg = started_.value("provider_call_id", std::string());
    for (size_t i = 0; i < events.size(); ++i) {
      const auto& event = events[i];
      const std::string at = "event " + std::to_string(i) + " (" + event.value("type", std::string("?")) + ")";
      for (const auto& problem : core::callEventProblems(event)) {
        problems.push_back(at + ": " + problem);
      }
      const std::string callId = event.value("call_id", std::string());
      const std::string providerCallId = event.value("provider_call_id", std::string());
      if (callId.empty() && providerCallId.empty() && event.value("conference_id", std::string()).empty()) {
        problems.push_back(at + ": names no call (no call_id, provider_call_id or conference_id)");
      }
      if (!callId.empty() && callId != callId_) {
        problems.push_back(at + ": call_id \"" + callId + "\" is not the call's (" + callId_ + ")");
      }
      if (event.value("leg", std::string()) == sdk::leg::kContact && !providerCallId.empty() && !contactLeg.empty() &&
          providerCallId != contactLeg) {
        problems.push_back(at + ": a contact-leg event's provider_call_id \"" + providerCallId +
                           "\" is not the leg call.start returned (" + contactLeg + ")");
      }
    }
    return problems;
  }

  static std::vector<std::string> missingEvents(const nlohmann::json& events,
                                                const std::vector<ExpectedEvent>& expected) {
    std::vector<std::string> missing;
    size_t next = 0;
    for (const auto& want : expected) {
      bool found = false;
      for (; next < events.size() && !found; ++next) {
        const auto& event = events[next];
        found = event.value("type", std::string()) == want.type &&
                (want.leg.empty() || event.value("leg", std::string()) == want.leg) &&
                (want.cause.empty() || event.value("cause", std::string()) == want.cause);
      }
      if (!found) {
        missing.push_back(want.type + (want.leg.empty() ? "" : " on " + want.leg) +
                          (want.cause.empty() ? "" : " (" + want.cause + ")"));
      }
    }
    return missing;
  }

  static std::vector<std::string> keysOf(const nlohmann::json& events) {
    std::vector<std::string> keys;
    for (const auto& event : events) keys.push_back(event.value("event_key", std::string()));
    return keys;
  }

  /// A forged webhook must be refused as UNAUTHENTICATED, with no event.
  void expectRefused(const std::string& check, const sdk::HttpRequest& forged) {
    try {
      const auto outcome = proxy_->onWebhook(forged);
      fail(check, "it was accepted (reply " + std::to_string(outcome.reply.status) + ", " +
                      std::to_string(outcome.events.size()) + " event(s)); verify the signature before anything else");
    } catch (const core::ProviderError& e) {
      if (e.status() == Status::Unauthenticated) {
        pass(check);
      } else {
        fail(check, "refused with " + nameOf(e.status()) + " (" + e.what() +
                        "), not UNAUTHENTICATED: check the signature before reading the body");
      }
    }
  }

  void checkWebhook(const FixtureWebhook& webhook) {
    const Placeholders values = withDerived(*fixture_, placeholders());
    const int64_t now = nowSeconds();
    const std::string name = "webhook \"" + webhook.name + "\"";
    const sdk::HttpRequest signedRequest = buildWebhook(*fixture_, webhook, values, webhookBaseUrl_, now);

    core::WebhookOutcome first;
    try {
      first = proxy_->onWebhook(signedRequest);
    } catch (const core::ProviderError& e) {
      fail(name + ": signed, it is accepted", "refused with " + nameOf(e.status()) + ": " + e.what());
      return;
    }
    std::vector<std::string> problems = eventProblems(first.events);
    const int status = first.reply.status;
    if (webhook.expectStatus ? status != *webhook.expectStatus : (status < 200 || status > 299)) {
      problems.push_back("the reply is HTTP " + std::to_string(status) + ", expected " +
                         (webhook.expectStatus ? std::to_string(*webhook.expectStatus) : std::string("2xx")));
    }
    for (const auto& missing : missingEvents(first.events, webhook.expectEvents)) {
      problems.push_back("no " + missing + " event among " + first.events.dump());
    }
    if (problems.empty()) {
      pass(name + ": signed, it is accepted", std::to_string(first.events.size()) + " event(s), valid");
    } else {
      fail(name + ": signed, it is accepted", joined(problems));
    }

    try {
      const auto again = proxy_->onWebhook(signedRequest);
      if (keysOf(again.events) == keysOf(first.events)) {
        pass(name + ": a redelivery gives the same event keys");
      } else {
        fail(name + ": a redelivery gives the same event keys",
             "first " + nlohmann::json(keysOf(first.events)).dump() + ", then " +
                 nlohmann::json(keysOf(again.events)).dump() +
                 ": give each event a key the carrier's redelivery keeps");
      }
    } catch (const core::ProviderError& e) {
      fail(name + ": a redelivery gives the same event keys",
           "the same webhook a second time was refused with " + nameOf(e.status()) + ": " + e.what());
    }

    sdk::HttpRequest unsigned_ = signedRequest;
    for (const auto& header : signatureHeaders(fixture_->signing)) {
      std::erase_if(unsigned_.headers, [&](const auto& h) { return sdk::equalsIgnoreCase(h.first, header); });
    }
    expectRefused(name + ": unsigned, it is refused", unsigned_);

    sdk::HttpRequest tampered = signedRequest;
    tampered.body += " ";
    expectRefused(name + ": with its body changed, it is refused", tampered);

    if (!fixture_->signing.timestampHeader.empty()) {
      expectRefused(name + ": signed an hour ago, it is refused",
                    buildWebhook(*fixture_, webhook, values, webhookBaseUrl_, now - kStaleSeconds));
    }
  }

  void checkWebhooks(bool ending) {
    if (!fixture_) {
      if (ending) return;
      skip("webhooks",
           "no --fixture given: signed, redelivered, tampered and stale webhooks were not sent, and no "
           "event was checked (sdk/docs/CONFORMANCE.md says how to write one)");
      return;
    }
    for (const auto& webhook : fixture_->webhooks) {
      if (webhook.ending == ending) checkWebhook(webhook);
    }
  }

  void checkStatus() {
    if (invoke("call.status", sdk::op::kCallStatus, callRef())) {
      pass("call.status");
    }
  }

  void checkParticipants() {
    if (!declared(sdk::op::kParticipantUpdate)) {
      return;
    }
    const auto& capabilities = plugin_->capabilities();
    const auto update = [&](const std::string& check, const std::string& leg, const char* field) {
      nlohmann::json request = callRef();
      request["leg"] = leg;
      request[field] = true;
      try {
        const auto result = proxy_->invoke(sdk::op::kParticipantUpdate, request);
        const auto problems = core::sdkSchemaProblems("participant.update.result", result);
        if (!problems.empty()) {
          fail(check, "the result does not match participant.update.result.schema.json: " + joined(problems));
        } else if (result.value(field, false) != true) {
          fail(check, std::string("the result says ") + field + " is not true: " + result.dump());
        } else {
          pass(check);
        }
      } catch (const core::ProviderError& e) {
        if (e.status() == Status::NotFound) {
          skip(check, std::string("NOT_FOUND (") + e.what() +
                          "): the leg is not in a conference yet; webhooks in the fixture that answer it first let "
                          "this run");
        } else {
          fail(check, "failed with " + nameOf(e.status()) + ": " + e.what());
        }
      }
    };
    if (capabilities.value("supports_mute", false)) update("participant.update mutes the agent", "agent", "muted");
    if (capabilities.value("supports_hold", false)) update("participant.update holds the contact", "contact", "held");
  }

  /// The webhooks the carrier sent by itself during the run (a fake, a
  /// sandbox, the sim): each must have passed its signature and produced
  /// valid events for this call.
  void checkReceived() {
    const auto received = host_->received();
    if (received.empty()) {
      return;  // a carrier that cannot reach this machine sends nothing here
    }
    std::vector<std::string> problems;
    size_t events = 0;
    for (const auto& webhook : received) {
      if (!webhook.error.empty()) {
        problems.push_back(webhook.target + " was refused (" + webhook.error + ")");
        continue;
      }
      events += webhook.events.size();
      for (const auto& problem : eventProblems(webhook.events)) {
        problems.push_back(webhook.target + ": " + problem);
      }
    }
    const std::string name = "webhooks the carrier sent during the run";
    if (problems.empty()) {
      pass(name, std::to_string(received.size()) + " webhook(s), " + std::to_string(events) + " valid event(s)");
    } else {
      fail(name, joined(problems));
    }
  }

  void endCall() {
    const auto ended = invoke("call.end ends the call", sdk::op::kCallEnd, callRef());
    if (ended) {
      if (ended->value("ended", false)) {
        pass("call.end ends the call");
      } else {
        fail("call.end ends the call", "the result does not say ended: " + ended->dump());
      }
    }
    const auto again = invoke("call.end again is already_ended", sdk::op::kCallEnd, callRef());
    if (again) {
      if (again->value("already_ended", false)) {
        pass("call.end again is already_ended");
      } else {
        fail("call.end again is already_ended",
             "ending an ended call must succeed with already_ended: true, got " + again->dump());
      }
    }
  }

  core::LoadedPluginPtr plugin_;
  nlohmann::json config_;
  const std::optional<WebhookFixture>& fixture_;
  RunOptions options_;
  std::set<std::string> declared_;
  std::string callId_;
  std::string conferenceName_;
  std::string webhookBaseUrl_;
  std::unique_ptr<ScratchHost> host_;  // outlives proxy_, and stops before it goes
  std::unique_ptr<core::ProviderProxy> proxy_;
  nlohmann::json started_ = nlohmann::json::object();
  Report report_;
};

}  // namespace

size_t Report::count(Verdict verdict) const {
  return static_cast<size_t>(
      std::count_if(checks.begin(), checks.end(), [&](const Check& check) { return check.verdict == verdict; }));
}

const char* name(Verdict verdict) {
  switch (verdict) {
    case Verdict::Pass: return "PASS";
    case Verdict::Fail: return "FAIL";
    case Verdict::Skip: return "SKIP";
  }
  return "?";
}

Report runConformance(const core::LoadedPluginPtr& plugin, const nlohmann::json& config,
                      const std::optional<WebhookFixture>& fixture, const RunOptions& options) {
  return Runner(plugin, config, fixture, options).run();
}

}  // namespace sb::host::conformance

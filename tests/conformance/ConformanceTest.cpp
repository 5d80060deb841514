// The conformance suite every provider plugin must pass. It loads the plugin
// in $SB_PLUGIN_DIR through the real loader and exercises every SDK
// operation; each result must match its JSON Schema in sdk/schema/, and
// errors must come back as the right statuses, never as crashes.
#include "support/CaptureServer.h"
#include "support/JsonSchema.h"
#include "support/fakes/FakeTelnyx.h"
#include "support/fakes/FakeTwilio.h"

#include <switchboard/core/net/HttpClient.h>
#include <switchboard/core/plugin/PluginLoader.h>
#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/plugin/ProviderProxy.h>

#include <catch2/catch.hpp>

#include <cstdlib>

namespace {

std::string pluginDir() {
  const char* dir = std::getenv("SB_PLUGIN_DIR");
  if (dir == nullptr || *dir == '\0') {
    throw std::runtime_error("set SB_PLUGIN_DIR to the plugin folder under test");
  }
  return dir;
}

/// A plugin that speaks to a real provider runs against that provider's
/// fake (SB_CONFORMANCE_FAKE=twilio|telnyx); the others need nothing.
bool fakeIs(const char* name) {
  const char* fake = std::getenv("SB_CONFORMANCE_FAKE");
  return fake != nullptr && std::string(fake) == name;
}

std::unique_ptr<sb::test::FakeTwilio> makeFake() {
  return fakeIs("twilio") ? std::make_unique<sb::test::FakeTwilio>() : nullptr;
}

std::unique_ptr<sb::test::FakeTelnyx> makeTelnyx() {
  return fakeIs("telnyx") ? std::make_unique<sb::test::FakeTelnyx>() : nullptr;
}

nlohmann::json pluginConfig(const sb::test::CaptureServer& webhooks, const sb::test::FakeTwilio* twilio,
                            const sb::test::FakeTelnyx* telnyx, const std::string& id) {
  nlohmann::json config = {{"webhook_base_url", webhooks.baseUrl() + "/webhooks/" + id}};
  if (telnyx != nullptr) {
    const auto& o = telnyx->options();
    config.update({{"base_url", telnyx->baseUrl()},
                   {"api_key", o.apiKey},
                   {"connection_id", o.connectionId},
                   {"credential_id", o.credentialId},
                   {"public_key", o.publicKeyBase64},
                   {"caller_id", "+15550001000"}});
  }
  if (twilio != nullptr) {
    const auto& o = twilio->options();
    config.update({{"base_url", twilio->baseUrl()},
                   {"account_sid", o.accountSid},
                   {"auth_token", o.authToken},
                   {"api_key_sid", o.apiKeySid},
                   {"api_key_secret", o.apiKeySecret},
                   {"twiml_app_sid", o.appSid}});
  }
  return config;
}

struct Subject {
  std::unique_ptr<sb::test::FakeTwilio> twilio = makeFake();
  std::unique_ptr<sb::test::FakeTelnyx> telnyx = makeTelnyx();
  sb::test::CaptureServer webhooks;
  sb::core::LoadedPluginPtr plugin = sb::core::PluginLoader::load(pluginDir());
  sb::core::ProviderProxy proxy{plugin, pluginConfig(webhooks, twilio.get(), telnyx.get(), plugin->id()),
                                std::make_shared<sb::core::HttpClient>()};

  Subject() {
    // Webhooks reach the plugin as the host would hand them over, so that a
    // provider that asks us for TwiML gets the plugin's answer.
    webhooks.setResponder([this](const sb::sdk::HttpRequest& request) {
      sb::sdk::HttpRequest hook = request;
      hook.url = webhooks.baseUrl() + request.path + (request.query.empty() ? "" : "?" + request.query);
      try {
        return proxy.onWebhook(hook).reply;
      } catch (const sb::core::ProviderError& e) {
        return sb::sdk::HttpResponse{e.status() == sb::sdk::Status::Unauthenticated ? 403 : 500, {}, e.what()};
      }
    });
    if (twilio) {
      twilio->setAppVoiceUrl(webhooks.baseUrl() + "/webhooks/" + plugin->id() + "/voice");
    }
    if (telnyx) {
      const std::string hooks = webhooks.baseUrl() + "/webhooks/" + plugin->id() + "/events";
      telnyx->setWebhookUrls(hooks, hooks);
    }
  }
  ~Subject() { webhooks.setResponder(nullptr); }

  /// What the page's browser leg does with a credential.
  void connectBrowser(const nlohmann::json& credential) {
    if (telnyx) {
      const auto leg = telnyx->connectBrowser(credential.at("token"), credential.at("sdk").at("client_state"),
                                              credential.at("sdk").at("destination"));
      INFO(leg.error);
      CHECK(leg.error.empty());
      return;
    }
    if (!twilio) {
      return;  // the sim joins on its own; the echo provider has no bridge
    }
    sb::sdk::encoding::FormFields params;
    for (const auto& [key, value] : credential.at("sdk").at("params").items()) {
      params.emplace_back(key, value.get<std::string>());
    }
    const auto leg = twilio->connectBrowser(credential.at("token"), params);
    INFO(leg.error);
    CHECK(leg.joined);
  }

  void expectValid(const std::string& schemaName, const nlohmann::json& document) {
    INFO(schemaName << ": " << document.dump());
    const auto errors = sb::test::validate(sb::test::loadSchema(schemaName), document);
    for (const auto& error : errors) UNSCOPED_INFO(error);
    CHECK(errors.empty());
  }

  sb::sdk::Status statusOf(const std::string& operation, const nlohmann::json& request) {
    try {
      proxy.invoke(operation, request);
    } catch (const sb::core::ProviderError& e) {
      CHECK(std::string(e.what()).size() > 0);
      return e.status();
    }
    return sb::sdk::Status::Ok;
  }
};

const nlohmann::json kStart = {{"call_id", "conf-1"},    {"agent_id", "agent-1"},          {"to", "+15551230001"},
                               {"from", "+15550001000"}, {"conference_name", "sb_conf-1"}, {"ring_timeout_s", 30}};

}  // namespace

TEST_CASE("conformance: the descriptor and capabilities are well formed", "[conformance]") {
  Subject subject;
  // The ABI rule (sdk/docs/ABI_POLICY.md): this host's major, a minor no
  // newer than this host's. An older minor (the golden 1.0 plugin) is fine.
  const std::string abi = subject.plugin->abiVersion();
  const auto dot = abi.find('.');
  REQUIRE(dot != std::string::npos);
  CHECK(std::stoul(abi.substr(0, dot)) == SB_ABI_MAJOR);
  CHECK(std::stoul(abi.substr(dot + 1)) <= SB_ABI_MINOR);
  CHECK_FALSE(subject.plugin->displayName().empty());
  CHECK_FALSE(subject.plugin->version().empty());
  subject.expectValid("capabilities", subject.plugin->capabilities());
}

TEST_CASE("conformance: every operation returns a schema-valid result", "[conformance]") {
  Subject subject;
  subject.expectValid("call.start.request", kStart);
  const auto started = subject.proxy.invoke("call.start", kStart);
  subject.expectValid("call.start.result", started);

  nlohmann::json ref = {
      {"call_id", "conf-1"}, {"conference_name", "sb_conf-1"}, {"provider_call_id", started.at("provider_call_id")}};
  if (started.contains("conference_id")) ref["conference_id"] = started["conference_id"];

  const nlohmann::json credential = {{"call_id", "conf-1"},
                                     {"agent_id", "agent-1"},
                                     {"session_id", "s-1"},
                                     {"conference_name", "sb_conf-1"},
                                     {"ttl_s", 600}};
  subject.expectValid("client_credential.issue.request", credential);
  const auto issued = subject.proxy.invoke("client_credential.issue", credential);
  subject.expectValid("client_credential.issue.result", issued);
  CHECK(issued.at("expires_at").get<int64_t>() > 0);
  subject.connectBrowser(issued);

  // Give a simulated call time to be answered and joined before controlling it.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const auto status = subject.proxy.invoke("call.status", ref);
  subject.expectValid("call.status.result", status);

  nlohmann::json mute = ref;
  mute["leg"] = "agent";
  mute["muted"] = true;
  subject.expectValid("participant.update.request", mute);
  const auto muted = subject.proxy.invoke("participant.update", mute);
  subject.expectValid("participant.update.result", muted);
  CHECK(muted.at("muted") == true);

  nlohmann::json hold = ref;
  hold["leg"] = "contact";
  hold["held"] = true;
  const auto held = subject.proxy.invoke("participant.update", hold);
  subject.expectValid("participant.update.result", held);
  CHECK(held.at("held") == true);

  const auto ended = subject.proxy.invoke("call.end", ref);
  subject.expectValid("call.end.result", ended);
  CHECK(ended.at("ended") == true);
  const auto again = subject.proxy.invoke("call.end", ref);
  subject.expectValid("call.end.result", again);
  CHECK(again.at("already_ended") == true);
  if (subject.twilio) {
    for (const auto& violation : subject.twilio->violations()) UNSCOPED_INFO(violation);
    CHECK(subject.twilio->violations().empty());
  }
  if (subject.telnyx) {
    for (const auto& violation : subject.telnyx->violations()) UNSCOPED_INFO(violation);
    CHECK(subject.telnyx->violations().empty());
  }
}

TEST_CASE("conformance: bad requests are INVALID_ARGUMENT, unknown operations UNSUPPORTED", "[conformance]") {
  Subject subject;
  using sb::sdk::Status;
  CHECK(subject.statusOf("call.teleport", {{"call_id", "x"}}) == Status::Unsupported);
  CHECK(subject.statusOf("call.start", {{"call_id", "x"}}) == Status::InvalidArgument);
  CHECK(subject.statusOf("call.start", {{"call_id", 7}, {"to", "+15551230001"}, {"conference_name", "c"}}) ==
        Status::InvalidArgument);
  CHECK(subject.statusOf("participant.update", {{"call_id", "x"}, {"leg", "agent"}}) == Status::InvalidArgument);
  CHECK(subject.statusOf("participant.update", {{"call_id", "x"}, {"leg", "robot"}, {"muted", true}}) ==
        Status::InvalidArgument);
  CHECK(subject.statusOf("client_credential.issue", {{"agent_id", "a"}, {"ttl_s", 0}}) == Status::InvalidArgument);
  CHECK(subject.statusOf("call.status", nlohmann::json::array()) == Status::InvalidArgument);
}

TEST_CASE("conformance: an unsigned webhook is refused as UNAUTHENTICATED", "[conformance]") {
  Subject subject;
  sb::sdk::HttpRequest forged;
  forged.method = "POST";
  forged.url = subject.webhooks.baseUrl() + "/webhooks/" + subject.plugin->id() + "/events";
  forged.path = "/webhooks/" + subject.plugin->id() + "/events";
  forged.headers = {{"Content-Type", "application/json"}};
  forged.body = R"({"id":"1","type":"leg.ringing","call_id":"x"})";
  try {
    subject.proxy.onWebhook(forged);
    FAIL("an unsigned webhook was accepted");
  } catch (const sb::core::ProviderError& e) {
    CHECK(e.status() == sb::sdk::Status::Unauthenticated);
  }
}

#include "support/ProviderWorld.h"

#include <catch2/catch.hpp>

namespace sb::test {
namespace {

ConfigValues merged(ConfigValues values, ConfigValues extra) {
  for (auto& [key, value] : extra) values[key] = std::move(value);
  return values;
}

}  // namespace

ConfigValues hostConfigFor(const FakeTwilio& fake, ConfigValues extra) {
  return merged({{"provider", "twilio"},
                 {"provider.twilio.base_url", fake.baseUrl()},
                 {"provider.twilio.account_sid", fake.options().accountSid},
                 {"provider.twilio.auth_token", fake.options().authToken},
                 {"provider.twilio.api_key_sid", fake.options().apiKeySid},
                 {"provider.twilio.api_key_secret", fake.options().apiKeySecret},
                 {"provider.twilio.twiml_app_sid", fake.options().appSid},
                 {"provider.twilio.http_timeout_ms", "500"},
                 {"calls.caller_ids", "+12125559000"},
                 // The tests poll every 10 ms.
                 {"ratelimit.default_per_minute", "100000"}},
                std::move(extra));
}

ConfigValues hostConfigFor(const FakeTelnyx& fake, ConfigValues extra) {
  return merged({{"provider", "telnyx"},
                 {"provider.telnyx.base_url", fake.baseUrl()},
                 {"provider.telnyx.api_key", fake.options().apiKey},
                 {"provider.telnyx.connection_id", fake.options().connectionId},
                 {"provider.telnyx.credential_id", fake.options().credentialId},
                 {"provider.telnyx.public_key", fake.options().publicKeyBase64},
                 {"provider.telnyx.http_timeout_ms", "500"},
                 {"calls.caller_ids", "+12125559000"},
                 {"ratelimit.default_per_minute", "100000"}},
                std::move(extra));
}

ProviderWorld::ProviderWorld(const std::string& provider, ConfigValues extra) : provider_(provider) {
  // These tests race many requests at once through the fake: under the
  // sanitizers the fake answers a burst slower than the loop tests' 500 ms
  // timeout (kept short there to provoke timeouts on purpose).
  extra = merged({{"provider.twilio.http_timeout_ms", "10000"}, {"provider.telnyx.http_timeout_ms", "10000"}},
                 std::move(extra));
  if (provider == "twilio") {
    twilio_ = std::make_unique<FakeTwilio>();
    host_ = std::make_unique<TestHost>(hostConfigFor(*twilio_, std::move(extra)));
    twilio_->setAppVoiceUrl("http://127.0.0.1:" + std::to_string(host_->port()) + "/webhooks/twilio/voice");
  } else if (provider == "telnyx") {
    telnyx_ = std::make_unique<FakeTelnyx>();
    host_ = std::make_unique<TestHost>(hostConfigFor(*telnyx_, std::move(extra)));
    const std::string hooks = "http://127.0.0.1:" + std::to_string(host_->port()) + "/webhooks/telnyx/events";
    telnyx_->setWebhookUrls(hooks, hooks);
  } else {
    REQUIRE(provider == "sim");
    host_ = std::make_unique<TestHost>(merged({{"provider.sim.ring_after_ms", "10"},
                                               {"provider.sim.answer_after_ms", "30"},
                                               {"provider.sim.agent_join_after_ms", "10"}},
                                              std::move(extra)));
  }
}

std::string ProviderWorld::connectAgent(const nlohmann::json& credential) {
  if (twilio_) {
    sdk::encoding::FormFields params;
    for (const auto& [key, value] : credential["sdk"]["params"].items()) params.emplace_back(key, value);
    return twilio_->connectBrowser(credential["token"], params).error;
  }
  if (telnyx_) {
    return telnyx_
        ->connectBrowser(credential["token"], credential["sdk"]["client_state"], credential["sdk"]["destination"])
        .error;
  }
  return {};
}

bool ProviderWorld::dropAgent(const std::string& providerLegId) {
  if (twilio_) {
    twilio_->hangUpBrowser(providerLegId);
    return true;
  }
  if (telnyx_) {
    telnyx_->hangUpBrowser(providerLegId);
    return true;
  }
  return false;
}

ProviderWorld::~ProviderWorld() {
  // What the fakes saw while the host ran: once the host is gone, a fake's
  // callback for a call still live is refused, which is not the host's doing.
  const std::vector<std::string> seen = twilio_   ? twilio_->violations()
                                        : telnyx_ ? telnyx_->violations()
                                                  : std::vector<std::string>{};
  host_.reset();
  for (const auto& violation : seen) {
    UNSCOPED_INFO("fake " << provider_ << ": " << violation);
  }
  CHECK(seen.empty());
}

}  // namespace sb::test

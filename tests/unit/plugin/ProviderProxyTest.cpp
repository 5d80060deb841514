// ProviderProxy and HostServices with an in-process provider built from the
// SDK's own trampolines: statuses become ProviderError with their details,
// and the host services (config, HTTP, crypto, clock) work from the plugin
// side of the ABI.
#include "support/CaptureServer.h"

#include <switchboard/core/net/HttpClient.h>
#include <switchboard/core/plugin/PluginLoader.h>
#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/plugin/ProviderProxy.h>
#include <switchboard/sdk/define_provider.hpp>
#include <switchboard/sdk/encoding.hpp>

#include <catch2/catch.hpp>

namespace {

class ProbeProvider final : public sb::sdk::Provider {
 public:
  ProbeProvider(sb::sdk::Host host, sb::sdk::Config config) : Provider(host, std::move(config)) {
    if (this->config().getBool("refuse", false)) {
      throw sb::sdk::ProviderError(sb::sdk::Status::InvalidArgument, "missing required config key 'api_key'");
    }
  }

  sb::sdk::StartCallResult startCall(const sb::sdk::StartCallRequest&) override {
    throw sb::sdk::ProviderError(sb::sdk::Status::RateLimited, "slow down", 2500, "20429");
  }

  nlohmann::json invokeOther(const std::string& operation, const nlohmann::json& request) override {
    if (operation == "probe.http") {
      sb::sdk::HttpRequest out;
      out.method = "POST";
      out.url = request.at("url").get<std::string>();
      out.headers = {{"X-Probe", "1"}};
      out.body = "hello";
      const auto response = host().http(out);
      return {{"status", response.status}};
    }
    if (operation == "probe.config")
      return {{"value", host().config(request.at("key").get<std::string>()).value_or("")}};
    if (operation == "probe.crypto") {
      return {{"mac", sb::sdk::encoding::toHex(host().crypto().hmac("sha256", "Jefe", "what do ya want for nothing?"))},
              {"now", host().nowMs()}};
    }
    if (operation == "probe.throw") throw std::runtime_error("boom");
    if (operation == "probe.garbage_reply") {
      // What a plugin does with a carrier's HTML error page answered as 200.
      return {{"id", nlohmann::json::parse("<html>502 Bad Gateway</html>").at("sid")}};
    }
    return Provider::invokeOther(operation, request);
  }
};

const sb_provider_api kProbeTable = {sizeof(sb_provider_api),
                                     SB_ABI_MAJOR,
                                     SB_ABI_MINOR,
                                     "probe",
                                     "Probe",
                                     "1.0.0",
                                     R"({"topology":"bridge","operations":[]})",
                                     &sb::sdk::detail::Trampolines<ProbeProvider>::create,
                                     &sb::sdk::detail::Trampolines<ProbeProvider>::destroy,
                                     &sb::sdk::detail::Trampolines<ProbeProvider>::invoke,
                                     &sb::sdk::detail::Trampolines<ProbeProvider>::onWebhook};

sb::core::LoadedPluginPtr probePlugin() {
  sb::core::PluginManifest manifest;
  manifest.id = "probe";
  return std::make_shared<const sb::core::LoadedPlugin>(manifest, nullptr, &kProbeTable,
                                                        nlohmann::json::parse(kProbeTable.capabilities_json));
}

sb::core::ProviderError errorFrom(const std::function<void()>& call) {
  try {
    call();
  } catch (const sb::core::ProviderError& e) {
    return e;
  }
  FAIL("no ProviderError");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("proxy: statuses become ProviderError with message, retry hint and provider code", "[proxy]") {
  sb::core::ProviderProxy proxy(probePlugin(), {{"api_key", "k"}, {"nested", {{"value", 3}}}},
                                std::make_shared<sb::core::HttpClient>());
  auto limited = errorFrom([&] {
    proxy.invoke("call.start", {{"call_id", "c"}, {"to", "+15551234567"}, {"conference_name", "x"}});
  });
  CHECK(limited.status() == sb::sdk::Status::RateLimited);
  CHECK(std::string(limited.what()) == "slow down");
  CHECK(limited.retryAfterMs() == 2500);
  CHECK(limited.providerCode() == "20429");
  CHECK(limited.provider() == "probe");

  auto crashed = errorFrom([&] { proxy.invoke("probe.throw", {}); });
  CHECK(crashed.status() == sb::sdk::Status::Internal);
  CHECK(std::string(crashed.what()) == "boom");

  // A carrier's garbage reply is the provider's error, never the caller's
  // 400; a malformed typed request still is the caller's.
  auto garbage = errorFrom([&] { proxy.invoke("probe.garbage_reply", {}); });
  CHECK(garbage.status() == sb::sdk::Status::Internal);
  CHECK_THAT(garbage.what(), Catch::Matchers::Contains("could not read a JSON document"));
  auto badRequest = errorFrom([&] { proxy.invoke("call.start", {{"call_id", 7}}); });
  CHECK(badRequest.status() == sb::sdk::Status::InvalidArgument);

  auto unknown = errorFrom([&] { proxy.invoke("probe.nothing", {}); });
  CHECK(unknown.status() == sb::sdk::Status::Unsupported);

  auto webhook = errorFrom([&] { proxy.onWebhook({}); });
  CHECK(webhook.status() == sb::sdk::Status::Unsupported);
}

TEST_CASE("proxy: a plugin that refuses its config fails create with the reason", "[proxy]") {
  auto refused = errorFrom([&] {
    sb::core::ProviderProxy proxy(probePlugin(), {{"refuse", true}}, std::make_shared<sb::core::HttpClient>());
  });
  CHECK(refused.status() == sb::sdk::Status::InvalidArgument);
  CHECK_THAT(refused.what(), Catch::Matchers::Contains("api_key"));
}

TEST_CASE("host services: config, outbound HTTP, crypto and clock from the plugin side", "[proxy]") {
  sb::test::CaptureServer upstream(201);
  sb::core::ProviderProxy proxy(probePlugin(), {{"api_key", "k"}, {"nested", {{"value", 3}}}},
                                std::make_shared<sb::core::HttpClient>());
  CHECK(proxy.invoke("probe.config", {{"key", "api_key"}}).at("value") == "k");
  CHECK(proxy.invoke("probe.config", {{"key", "nested.value"}}).at("value") == "3");
  CHECK(proxy.invoke("probe.config", {{"key", "absent"}}).at("value") == "");

  CHECK(proxy.invoke("probe.http", {{"url", upstream.baseUrl() + "/v1/things?x=1"}}).at("status") == 201);
  const auto seen = upstream.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].path == "/v1/things");
  CHECK(seen[0].query == "x=1");
  CHECK(seen[0].body == "hello");
  CHECK(seen[0].header("X-Probe") == std::optional<std::string>("1"));

  // Nothing listens on port 1: the plugin sees UNAVAILABLE, not a crash.
  auto down = errorFrom([&] { proxy.invoke("probe.http", {{"url", "http://127.0.0.1:1/"}}); });
  CHECK(down.status() == sb::sdk::Status::Unavailable);
  auto badUrl = errorFrom([&] { proxy.invoke("probe.http", {{"url", "ftp://x/"}}); });
  CHECK(badUrl.status() == sb::sdk::Status::InvalidArgument);

  const auto crypto = proxy.invoke("probe.crypto", {});
  CHECK(crypto.at("mac") == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(crypto.at("now").get<int64_t>() > 1700000000000);
}

TEST_CASE("proxy: the C fixture plugin works through the real loader", "[proxy]") {
  sb::core::ProviderProxy proxy(sb::core::PluginLoader::load(std::string(SB_FIXTURE_PLUGINS) + "/good"), {},
                                std::make_shared<sb::core::HttpClient>());
  CHECK(proxy.invoke("call.end", {{"call_id", "c"}}).at("already_ended") == true);
  CHECK(errorFrom([&] { proxy.invoke("call.start", {}); }).status() == sb::sdk::Status::Unsupported);
  CHECK(errorFrom([&] { proxy.onWebhook({}); }).status() == sb::sdk::Status::Unauthenticated);
}

TEST_CASE("proxy: a plugin that declares non-blocking webhooks and blocks is moved off the I/O thread",
          "[proxy][plugins]") {
  sb::core::ProviderLimits limits;
  limits.nonBlockingWebhookBudget = std::chrono::milliseconds(100);
  sb::core::ProviderProxy proxy(sb::core::PluginLoader::load(std::string(SB_FIXTURE_PLUGINS) + "/blocking_webhook"),
                                nlohmann::json::object(), std::make_shared<sb::core::HttpClient>(), limits);
  CHECK(proxy.webhooksNonBlocking());  // what it declares
  sb::sdk::HttpRequest hook;
  hook.method = "POST";
  hook.path = "/webhooks/cprov_blocking_webhook/events";
  CHECK(proxy.onWebhook(hook).reply.status == 200);  // it took 300 ms
  CHECK_FALSE(proxy.webhooksNonBlocking());          // what it gets from now on
}

// The webhook flow without HTTP (core::WebhookService): the active plugin
// verifies and translates the request, its events are stored, and the reply
// is handed back only once they are committed; a forged request and a
// provider that is not the active one are refused with domain errors.
#include "unit/calls/CallDatabase.h"
#include "unit/calls/CallEventScripts.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/calls/CallService.h>
#include <switchboard/core/calls/WebhookService.h>
#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/core/net/HttpClient.h>
#include <switchboard/core/plugin/PluginLoader.h>

#include <catch2/catch.hpp>

#include <ctime>
#include <future>

namespace {

constexpr const char* kSecret = "webhook-service-secret";
constexpr const char* kUrl = "https://dialer.example/webhooks/sim/events";

struct WebhookWorld : sb::test::CallDatabase {
  std::unique_ptr<sb::core::ProviderProxy> sim;
  std::unique_ptr<sb::core::CallService> calls;
  std::unique_ptr<sb::core::WebhookService> webhooks;

  WebhookWorld() {
    sim = std::make_unique<sb::core::ProviderProxy>(
        sb::core::PluginLoader::load(SB_SIM_PLUGIN_DIR),
        nlohmann::json{{"webhook_base_url", "https://dialer.example/webhooks/sim"}, {"secret", kSecret}},
        std::make_shared<sb::core::HttpClient>());
    calls = std::make_unique<sb::core::CallService>(callRepository, contacts, metrics, sb::core::CallServiceOptions{});
    calls->setProvider(sim.get());
    webhooks = std::make_unique<sb::core::WebhookService>(calls->provider(), calls->ingest());
    callRepository.transact([&] { callRepository.insert(sb::test::callRecord("c1", "agent-1")); });
  }

  static sb::sdk::HttpRequest signedRequest(const std::string& body, const std::string& signature = {}) {
    const auto now = std::to_string(std::time(nullptr));
    sb::sdk::HttpRequest request;
    request.method = "POST";
    request.path = "/webhooks/sim/events";
    request.url = kUrl;
    request.body = body;
    request.headers = {
        {"X-Sim-Timestamp", now},
        {"X-Sim-Signature", signature.empty() ? "v1=" + sb::core::crypto::toHex(sb::core::crypto::hmac(
                                                            "sha256", kSecret, now + "." + kUrl + "." + body))
                                              : signature}};
    return request;
  }
};

const std::string kRinging =
    R"({"event_key":"e1","type":"leg.ringing","call_id":"c1","leg":"contact","occurred_at_ms":1000})";

}  // namespace

TEST_CASE("webhook service: events are committed before the reply is handed back", "[calls][webhooks]") {
  WebhookWorld world;
  std::promise<std::pair<int, size_t>> answered;
  world.webhooks->handle("sim", WebhookWorld::signedRequest(kRinging), "rid-1",
                         [&](sb::sdk::HttpResponse reply, std::exception_ptr error) {
                           REQUIRE_FALSE(error);
                           // Told after the commit: the event is already in the timeline.
                           answered.set_value({reply.status, world.callRepository.timeline("c1").size()});
                         });
  auto done = answered.get_future();
  REQUIRE(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  const auto [status, stored] = done.get();
  CHECK(status == 200);
  CHECK(stored == 1);
  CHECK(world.callRepository.find("c1")->status == "ringing");

  SECTION("a redelivery is answered the same and stores nothing new") {
    std::promise<int> again;
    world.webhooks->handle("sim", WebhookWorld::signedRequest(kRinging), "rid-2",
                           [&](sb::sdk::HttpResponse reply, std::exception_ptr) { again.set_value(reply.status); });
    CHECK(again.get_future().get() == 200);
    CHECK(world.callRepository.timeline("c1").size() == 1);
  }
}

TEST_CASE("webhook service: a forged signature and another provider are refused", "[calls][webhooks]") {
  WebhookWorld world;
  bool told = false;
  const auto never = [&](sb::sdk::HttpResponse, std::exception_ptr) { told = true; };
  try {
    world.webhooks->handle("sim", WebhookWorld::signedRequest(kRinging, "v1=00"), "rid-3", never);
    FAIL("a forged webhook was accepted");
  } catch (const sb::core::DomainError& e) {
    CHECK(e.kind() == sb::core::DomainError::Kind::Forbidden);
  }
  try {
    world.webhooks->handle("twilio", WebhookWorld::signedRequest(kRinging), "rid-4", never);
    FAIL("a webhook for a provider that is not active was accepted");
  } catch (const sb::core::DomainError& e) {
    CHECK(e.kind() == sb::core::DomainError::Kind::NotFound);
  }
  CHECK_FALSE(told);
  CHECK(world.callRepository.timeline("c1").empty());
}

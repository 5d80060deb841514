#include "routes/WebhookRoutes.h"

#include "http/ApiError.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/ProviderError.h>

namespace sb::host {
namespace {

constexpr size_t kMaxWebhookBytes = size_t{256} * 1024;

ApiResponse handleWebhook(HostContext& context, const EventSink& sink, const ApiRequest& request) {
  const core::ProviderProxy* provider = context.provider();
  const std::string& name = request.params.at("provider");
  if (provider == nullptr || provider->id() != name) {
    throw ApiError::notFound("no active provider '" + name + "' receives webhooks here");
  }
  sdk::HttpRequest hook;
  hook.method = request.method;
  hook.path = request.path;
  hook.query = request.query;
  hook.url = context.publicBaseUrl() + request.path + (request.query.empty() ? "" : "?" + request.query);
  hook.remoteAddr = request.remoteAddr;
  hook.headers = request.headers;
  hook.body = request.body;

  core::WebhookOutcome outcome;
  try {
    outcome = provider->onWebhook(hook);
  } catch (const core::ProviderError& e) {
    if (e.status() == sdk::Status::Unauthenticated) {
      core::logger("webhooks")
          ->warn("rid={} rejected {} webhook from {}: {}", request.requestId, name, request.remoteAddr, e.what());
      throw ApiError(403, "FORBIDDEN", "webhook signature verification failed");
    }
    throw;
  }
  if (sink && !outcome.events.empty()) {
    sink(name, outcome.events);
  }
  ApiResponse response;
  response.status = outcome.reply.status;
  response.contentType = outcome.reply.header("Content-Type").value_or("text/plain");
  for (const auto& [header, value] : outcome.reply.headers) {
    if (!sdk::equalsIgnoreCase(header, "Content-Type") && !sdk::equalsIgnoreCase(header, "Content-Length")) {
      response.headers.emplace_back(header, value);
    }
  }
  response.body = outcome.reply.body;
  return response;
}

}  // namespace

void addWebhookRoutes(Router& router, HostContext& context, EventSink sink) {
  auto handler = [&context, sink](const ApiRequest& request) { return handleWebhook(context, sink, request); };
  router.add({"POST", "/webhooks/{provider}/{*rest}", "webhooks.post", Access::Signed, 0, kMaxWebhookBytes, handler});
  router.add({"GET", "/webhooks/{provider}/{*rest}", "webhooks.get", Access::Signed, 0, kMaxWebhookBytes, handler});
}

}  // namespace sb::host

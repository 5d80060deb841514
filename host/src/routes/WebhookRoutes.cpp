#include "routes/WebhookRoutes.h"

#include "http/ApiError.h"
#include "http/ErrorMapper.h"

#include <switchboard/core/log/ThrottledLog.h>
#include <switchboard/core/plugin/ProviderError.h>

namespace sb::host {
namespace {

constexpr size_t kMaxWebhookBytes = size_t{256} * 1024;

void handleWebhook(HostContext& context, const EventSink& sink, const ApiRequest& request, Responder respond) {
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
      // Unsigned floods are an attack's shape: one line per interval.
      static core::ThrottledLog rejected("webhooks");
      rejected.warn("rid={} rejected {} webhook from {}: {}", request.requestId, name, request.remoteAddr, e.what());
      throw ApiError(403, "FORBIDDEN", "webhook signature verification failed");
    }
    throw;
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
  if (!sink || outcome.events.empty()) {
    respond(std::move(response));
    return;
  }
  sink(name, std::move(outcome.events),
       [respond = std::move(respond), response = std::move(response),
        requestId = request.requestId](std::exception_ptr error) mutable {
         respond(error ? ErrorMapper::toResponse(error, requestId) : std::move(response));
       });
}

}  // namespace

void addWebhookRoutes(Router& router, HostContext& context, EventSink sink) {
  auto handler = [&context, sink](const ApiRequest& request, Responder respond) {
    handleWebhook(context, sink, request, std::move(respond));
  };
  for (const char* method : {"POST", "GET"}) {
    Route route{method,
                "/webhooks/{provider}/{*rest}",
                method == std::string("POST") ? "webhooks.post" : "webhooks.get",
                Access::Signed,
                0,
                kMaxWebhookBytes,
                nullptr};
    route.asyncHandler = handler;
    // Without authentication or a database read, a webhook blocks only
    // where the provider's own handling does.
    route.nonBlocking = [&context] {
      const core::ProviderProxy* provider = context.provider();
      return provider != nullptr && provider->webhooksNonBlocking();
    };
    router.add(std::move(route));
  }
}

}  // namespace sb::host

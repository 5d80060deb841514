#include "routes/WebhookRoutes.h"

#include "http/ErrorMapper.h"

namespace sb::host {
namespace {

constexpr size_t kMaxWebhookBytes = size_t{256} * 1024;

ApiResponse toResponse(const sdk::HttpResponse& reply) {
  ApiResponse response;
  response.status = reply.status;
  response.contentType = reply.header("Content-Type").value_or("text/plain");
  for (const auto& [header, value] : reply.headers) {
    if (!sdk::equalsIgnoreCase(header, "Content-Type") && !sdk::equalsIgnoreCase(header, "Content-Length")) {
      response.headers.emplace_back(header, value);
    }
  }
  response.body = reply.body;
  return response;
}

void handleWebhook(HostContext& context, const ApiRequest& request, Responder respond) {
  sdk::HttpRequest hook;
  hook.method = request.method;
  hook.path = request.path;
  hook.query = request.query;
  hook.url = context.publicBaseUrl() + request.path + (request.query.empty() ? "" : "?" + request.query);
  hook.remoteAddr = request.remoteAddr;
  hook.headers = request.headers;
  hook.body = request.body;
  context.webhooks().handle(request.params.at("provider"), hook, request.requestId,
                            [respond = std::move(respond), requestId = request.requestId](
                                sdk::HttpResponse reply, std::exception_ptr error) mutable {
                              respond(error ? ErrorMapper::toResponse(error, requestId) : toResponse(reply));
                            });
}

}  // namespace

void addWebhookRoutes(Router& router, HostContext& context) {
  auto handler = [&context](const ApiRequest& request, Responder respond) {
    handleWebhook(context, request, std::move(respond));
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
    route.nonBlocking = [&context] { return context.webhooks().nonBlocking(); };
    router.add(std::move(route));
  }
}

}  // namespace sb::host

#include "routes/EventRoutes.h"

#include "http/ApiError.h"
#include "http/EventStreamHub.h"
#include "http/RequestFields.h"

namespace sb::host {
namespace {

int64_t lastEventId(const ApiRequest& request) {
  // Browsers resend the last id in Last-Event-ID; a fetch()-based client
  // may pass it as ?last_event_id= instead.
  std::string text = request.header("Last-Event-ID").value_or("");
  if (text.empty()) {
    text = request.queryParam("last_event_id").value_or("");
  }
  if (text.empty()) {
    return 0;
  }
  try {
    size_t used = 0;
    const long long id = std::stoll(text, &used);
    if (used == text.size() && id >= 0) return id;
  } catch (const std::exception&) {
    // reported below
  }
  throw ApiError::validation("Last-Event-ID must be an event id (a non-negative integer)",
                             {{"field", "Last-Event-ID"}, {"value", text}});
}

}  // namespace

void addEventRoutes(Router& router, HostContext& context) {
  router.add(
      {"GET", "/api/v1/events", "events.stream", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
         EventStreamHub& hub = context.eventStream();
         // An agent sees its own calls; a supervisor or an admin all, or
         // one agent's with ?agent_id=.
         const std::string agent = agentScope(request, request.queryParam("agent_id").value_or(""));
         const int64_t resumeAfter = lastEventId(request);
         const std::string& key = request.principal->keyId;
         switch (hub.reserve(key)) {
           case SlotLimiter::Result::Full:
             throw ApiError(503, "UNAVAILABLE", "too many event streams are open; retry shortly").withRetryAfter(5);
           case SlotLimiter::Result::KeyFull:
             throw ApiError(429, "RATE_LIMITED",
                            "this key holds the most event streams it may (sse.max_clients_per_key); close one")
                 .withRetryAfter(5);
           case SlotLimiter::Result::Granted: break;
         }
         ApiResponse response;
         response.status = 200;
         response.contentType = "text/event-stream; charset=utf-8";
         response.headers.emplace_back("X-Accel-Buffering", "no");  // a proxy must not hold frames back
         try {
           response.stream = hub.open(key, agent, resumeAfter);
         } catch (...) {
           hub.cancel(key);
           throw;
         }
         return response;
       }});
}

}  // namespace sb::host

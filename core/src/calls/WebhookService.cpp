#include <switchboard/core/calls/WebhookService.h>

#include <switchboard/core/DomainError.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/ProviderError.h>

namespace sb::core {

WebhookService::WebhookService(const ProviderSlot& provider, CallIngest& ingest)
    : provider_(provider), ingest_(ingest) {}

bool WebhookService::nonBlocking() const {
  const ProviderProxy* provider = provider_.find();
  return provider != nullptr && provider->webhooksNonBlocking();
}

void WebhookService::handle(const std::string& providerId, const sdk::HttpRequest& request,
                            const std::string& requestId, Done done) {
  const ProviderProxy* provider = provider_.find();
  if (provider == nullptr || provider->id() != providerId) {
    throw DomainError(DomainError::Kind::NotFound, "no active provider '" + providerId + "' receives webhooks here");
  }
  WebhookOutcome outcome;
  try {
    outcome = provider->onWebhook(request);
  } catch (const ProviderError& e) {
    if (e.status() == sdk::Status::Unauthenticated) {
      rejected_.warn("rid={} rejected {} webhook from {}: {}", requestId, providerId, request.remoteAddr, e.what());
      throw DomainError(DomainError::Kind::Forbidden, "webhook signature verification failed");
    }
    throw;
  }
  if (outcome.events.empty()) {
    done(std::move(outcome.reply), nullptr);
    return;
  }
  const size_t count = outcome.events.size();
  auto log = logger("webhooks");
  // Told on the journal's thread, which every webhook waits on: no more than
  // the log line and the hand-back.
  ingest_.ingestAsync(providerId, std::move(outcome.events),
                      [log, providerId, count, reply = std::move(outcome.reply), done = std::move(done)](
                          size_t fresh, std::exception_ptr error) mutable {
                        if (log->should_log(spdlog::level::debug)) {
                          log->debug("{} webhook: {} event(s), {} new", providerId, count, fresh);
                        }
                        done(std::move(reply), error);
                      });
}

}  // namespace sb::core

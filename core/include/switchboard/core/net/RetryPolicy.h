#pragma once

#include <switchboard/sdk/http.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sb::core {

/// When the host sends an outbound request again (one place for every
/// plugin; plugins do not retry on their own):
/// - a 429 is waited out and sent again when the provider's wait is short
///   (a rate-limited request was not carried out, so any method is safe);
/// - a request that got no answer (reset, timeout) or a 500/502/503/504 is
///   sent again only when repeating it cannot do the thing twice: a safe
///   method (GET, HEAD, OPTIONS) or a request carrying an `Idempotency-Key`
///   header (the plugin's promise that the provider, or the request itself,
///   makes a repeat harmless).
struct RetryPolicy {
  int failureRetries = 1;                            ///< resends after no answer or a 5xx
  int rateLimitRetries = 2;                          ///< resends after a 429
  std::chrono::milliseconds maxRateLimitWait{2000};  ///< a longer wait goes back to the plugin
  std::chrono::milliseconds failureBackoff{100};     ///< before a resend after a failure
};

/// The request may be sent twice without being carried out twice.
bool repeatable(const sdk::HttpRequest& request);

/// The wait a 429 asks for: `Retry-After` in seconds, else
/// `X-RateLimit-Reset` (seconds to wait, or a Unix time when it is one);
/// nullopt when the response names none (or an HTTP date).
std::optional<std::chrono::milliseconds> rateLimitWait(const sdk::HttpResponse& response, int64_t nowUnixS);

/// What to do after one attempt.
struct RetryDecision {
  bool again = false;
  std::chrono::milliseconds wait{0};
  std::string reason;  ///< "429", "5xx", "no-answer"; also why not, for the caller's message
};

/// `rateLimited` and `failed` count the resends already made for each cause.
RetryDecision afterResponse(const RetryPolicy& policy, const sdk::HttpRequest& request,
                            const sdk::HttpResponse& response, int rateLimited, int failed, int64_t nowUnixS);
RetryDecision afterNoAnswer(const RetryPolicy& policy, const sdk::HttpRequest& request, int failed);

}  // namespace sb::core

#include <switchboard/core/net/RetryPolicy.h>

#include <algorithm>

namespace sb::core {
namespace {

std::optional<int64_t> digits(const std::optional<std::string>& header) {
  if (!header || header->empty() || header->size() > 12) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (const char c : *header) {
    if (c < '0' || c > '9') {
      return std::nullopt;  // an HTTP date or garbage: no usable hint
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

bool repeatable(const sdk::HttpRequest& request) {
  const std::string& m = request.method;
  if (m == "GET" || m == "HEAD" || m == "OPTIONS") {
    return true;
  }
  for (const auto& [name, value] : request.headers) {
    if (sdk::equalsIgnoreCase(name, "Idempotency-Key") && !value.empty()) {
      return true;
    }
  }
  return false;
}

std::optional<std::chrono::milliseconds> rateLimitWait(const sdk::HttpResponse& response, int64_t nowUnixS) {
  if (const auto seconds = digits(response.header("Retry-After"))) {
    return std::chrono::seconds(*seconds);
  }
  if (auto reset = digits(response.header("X-RateLimit-Reset"))) {
    // Some APIs send seconds to wait, others the Unix time of the reset.
    constexpr int64_t kLooksLikeUnixTime = 1'000'000'000;
    if (*reset >= kLooksLikeUnixTime) {
      *reset = std::max<int64_t>(0, *reset - nowUnixS);
    }
    return std::chrono::seconds(*reset);
  }
  return std::nullopt;
}

RetryDecision afterResponse(const RetryPolicy& policy, const sdk::HttpRequest& request,
                            const sdk::HttpResponse& response, int rateLimited, int failed, int64_t nowUnixS) {
  RetryDecision decision;
  if (response.status == 429) {
    const auto wait = rateLimitWait(response, nowUnixS).value_or(std::chrono::seconds(1));
    decision.reason = "429";
    decision.again = rateLimited < policy.rateLimitRetries && wait <= policy.maxRateLimitWait;
    decision.wait = wait;
    return decision;
  }
  const int s = response.status;
  if (s == 500 || s == 502 || s == 503 || s == 504) {
    decision.reason = "5xx";
    decision.again = failed < policy.failureRetries && repeatable(request);
    decision.wait = policy.failureBackoff;
  }
  return decision;
}

RetryDecision afterNoAnswer(const RetryPolicy& policy, const sdk::HttpRequest& request, int failed) {
  RetryDecision decision;
  decision.reason = "no-answer";
  decision.again = failed < policy.failureRetries && repeatable(request);
  decision.wait = policy.failureBackoff;
  return decision;
}

}  // namespace sb::core

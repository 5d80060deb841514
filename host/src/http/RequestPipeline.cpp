#include "http/RequestPipeline.h"

#include "http/ApiError.h"
#include "http/ErrorMapper.h"
#include "http/SessionCookie.h"

#include <switchboard/core/config/ConfigKey.h>
#include <switchboard/core/config/Settings.h>
#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/log/Redact.h>
#include <switchboard/core/text/Utf8.h>
#include <switchboard/sdk/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <unordered_map>

namespace sb::host {
namespace {

/// The rate limiter's bucket of failed key checks, per client address.
constexpr const char* kAuthFailures = "auth.failures";

uint64_t nextSerial() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

std::optional<std::string> presentedKey(const ApiRequest& request) {
  if (auto key = request.header("X-API-Key")) {
    return key;
  }
  if (auto value = request.header("Authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (value->size() > kBearer.size() && sdk::equalsIgnoreCase(value->substr(0, kBearer.size()), kBearer)) {
      return value->substr(kBearer.size());
    }
  }
  return std::nullopt;
}

/// A route name as an environment variable spells it: '.' and '-' become
/// '_' on the way in (SWITCHBOARD_RATELIMIT_COLDCALL_INITIATE arrives as
/// ratelimit.coldcall_initiate), so names are compared with the three alike.
std::string spelledAlike(std::string name) {
  std::replace_if(
      name.begin(), name.end(), [](char c) { return c == '.' || c == '-'; }, '_');
  return name;
}

/// ratelimit.<route name> overrides, each resolved to the route it names
/// (written as in the file, or as the environment spells it). A name that
/// names no route is a configuration error naming the nearest: a typo must
/// not leave a route at its default unnoticed.
ServerOptions withResolvedRates(const Router& router, ServerOptions options) {
  std::vector<std::string> names;
  for (const Route& route : router.routes()) names.push_back(route.name);
  std::map<std::string, int> resolved;
  for (const auto& [given, limit] : options.rateOverrides) {
    std::string match;
    for (const std::string& name : names) {
      if (name == given || (match.empty() && spelledAlike(name) == spelledAlike(given))) match = name;
    }
    if (match.empty()) {
      const std::string near = core::nearestWord(given, names);
      throw core::ConfigError("ratelimit." + given + " names no route" +
                              (near.empty() ? std::string() : "; did you mean ratelimit." + near + "?") +
                              " (route names: docs/HTTP_API.md)");
    }
    resolved[match] = limit;
  }
  options.rateOverrides = std::move(resolved);
  return options;
}

}  // namespace

RequestPipeline::RequestPipeline(std::shared_ptr<const Router> router, ServerOptions options,
                                 core::ApiKeyService& apiKeys, core::Metrics* metrics, core::SessionService* sessions)
    : router_(std::move(router)),
      options_(withResolvedRates(*router_, std::move(options))),
      apiKeys_(apiKeys),
      metrics_(metrics),
      sessions_(sessions),
      serial_(nextSerial()),
      log_(core::logger("http")) {}

size_t RequestPipeline::bodyLimit(const Route* route) const {
  return route != nullptr && route->maxBodyBytes > 0 ? route->maxBodyBytes : options_.defaultMaxBodyBytes;
}

int RequestPipeline::rateFor(const Route& route) const {
  if (auto it = options_.rateOverrides.find(route.name); it != options_.rateOverrides.end()) {
    return it->second;
  }
  return route.ratePerMinute > 0 ? route.ratePerMinute : options_.defaultRatePerMinute;
}

std::string RequestPipeline::requestIdFrom(std::string_view given) {
  const bool safe = !given.empty() && given.size() <= 64 &&
                    given.find_first_not_of(
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789._-") == std::string_view::npos;
  if (safe) {
    return std::string(given);
  }
  // Unique, not secret: a random prefix per process and a counter (no
  // random bytes drawn per request).
  static const std::string prefix = core::crypto::toHex(core::crypto::randomBytes(3));
  static std::atomic<uint64_t> counter{0};
  char digits[17];
  const uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  for (int i = 9; i >= 0; --i) {
    digits[i] = "0123456789abcdef"[(n >> (4 * (9 - i))) & 0xF];
  }
  return prefix + std::string(digits, 10);
}

void RequestPipeline::run(ApiRequest& request, const RouteMatch& match, const Responder& respond) {
  try {
    if (match.route == nullptr) {
      if (match.pathMatchedOtherMethod) {
        std::string allow;
        for (const auto& method : match.allowed) {
          allow += (allow.empty() ? "" : ", ") + method;
        }
        ApiError error(405, "METHOD_NOT_ALLOWED", request.method + " is not allowed on " + request.path,
                       {{"allowed", match.allowed}});
        ApiResponse response = ErrorMapper::toResponse(std::make_exception_ptr(error), request.requestId);
        response.headers.emplace_back("Allow", allow);
        respond(std::move(response));
        return;
      }
      throw ApiError::notFound("no route for " + request.method + " " + request.path);
    }
    const Route& route = *match.route;
    if (!request.admitted) {
      admit(request, match);
    }
    if (route.asyncHandler) {
      route.asyncHandler(request, respond);
    } else {
      respond(route.handler(request));
    }
  } catch (...) {
    respond(ErrorMapper::toResponse(std::current_exception(), request.requestId));
  }
}

void RequestPipeline::admit(ApiRequest& request, const RouteMatch& match) {
  const Route& route = *match.route;
  request.params = match.params;
  authenticate(route, request);
  request.admitted = true;
  if (request.principal) {
    const int limit = rateFor(route);
    const int wait = rateLimiter_.acquire(request.principal->keyId, route.name, limit);
    if (wait > 0) {
      throw ApiError(429, "RATE_LIMITED",
                     "rate limit of " + std::to_string(limit) + " requests per minute for " + route.name +
                         " exceeded; retry in " + std::to_string(wait) + " s",
                     {{"route", route.name}, {"limit_per_minute", limit}})
          .withRetryAfter(wait);
    }
  }
}

void RequestPipeline::authFailed(const ApiRequest& request, const std::string& message) {
  rateLimiter_.acquire(request.clientAddr, kAuthFailures, options_.authFailuresPerMinute);
  throw ApiError::unauthorized(message);
}

void RequestPipeline::precheck(const ApiRequest& request, const Route& route) {
  if (route.access == Access::Public || route.access == Access::Signed) {
    return;
  }
  // Guessing keys from one address is slowed before any lookup is spent on it.
  if (const int wait = rateLimiter_.peek(request.clientAddr, kAuthFailures, options_.authFailuresPerMinute); wait > 0) {
    throw ApiError(429, "RATE_LIMITED",
                   "too many failed key checks from this address (auth.failures_per_minute); retry in " +
                       std::to_string(wait) + " s")
        .withRetryAfter(wait);
  }
  const auto key = presentedKey(request);
  if ((!key || key->empty()) && (sessions_ == nullptr || !sessionCookie(request))) {
    // Costs no lookup: not counted as a guess.
    throw ApiError::unauthorized(
        "missing API key: send it in the X-API-Key header or as Authorization: Bearer, or sign in "
        "(POST /api/v1/session)");
  }
}

std::optional<core::Principal> RequestPipeline::fromSession(const ApiRequest& request) {
  const auto token = sessionCookie(request);
  if (!token) {
    return std::nullopt;
  }
  const auto user = sessions_->check(*token);
  if (!user) {
    return std::nullopt;
  }
  core::Principal principal;
  principal.keyId = user->id;
  principal.keyName = user->emailKey;
  principal.role = core::parseRole(user->role);
  principal.session = true;
  principal.displayName = user->displayName;
  principal.email = user->email;
  return principal;
}

void RequestPipeline::checkOrigin(const ApiRequest& request) const {
  if (request.method == "GET" || request.method == "HEAD" || request.method == "OPTIONS") {
    return;
  }
  // Browsers send Origin with every request that may change something; a
  // page on another site cannot forge it.
  const auto origin = request.header("Origin");
  const auto host = request.header("Host");
  const bool matches =
      origin && ((!options_.publicOrigin.empty() && *origin == options_.publicOrigin) ||
                 (host && !host->empty() && (*origin == "http://" + *host || *origin == "https://" + *host)));
  if (!matches) {
    throw ApiError::forbidden("a request signed in with a session must come from the page's own origin (Origin " +
                              (origin ? "'" + core::sanitizeUtf8(core::truncateUtf8(*origin, 100)) + "'" : "missing") +
                              ")");
  }
}

void RequestPipeline::authenticate(const Route& route, ApiRequest& request) {
  if (route.access == Access::Public || route.access == Access::Signed) {
    return;
  }
  precheck(request, route);
  const auto key = presentedKey(request);
  if (key && !key->empty()) {
    request.principal = apiKeys_.authenticate(*key);
    if (!request.principal) {
      authFailed(request, "invalid or revoked API key");
    }
  } else {
    request.principal = fromSession(request);
    if (!request.principal) {
      authFailed(request, "your session has ended or is not valid; sign in again");
    }
    checkOrigin(request);
  }
  const core::Role role = request.principal->role;
  const bool allowed = route.access == Access::Admin        ? role == core::Role::Admin
                       : route.access == Access::Supervisor ? core::seesEveryAgent(role)
                                                            : true;
  if (!allowed) {
    throw ApiError::forbidden(
        route.name + " needs the " + (route.access == Access::Admin ? "admin role" : "supervisor or admin role") +
        "; this " + (request.principal->session ? "person" : "key") + " has role '" + core::roleName(role) + "'");
  }
}

void RequestPipeline::finished(const ApiRequest& request, const std::string& target, const std::string& routeName,
                               int status, size_t bodyBytes, std::chrono::steady_clock::time_point started) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  if (metrics_ != nullptr) {
    countRequest(routeName, request.method, status, static_cast<double>(micros) / 1e6);
  }
  if (options_.logRequests && log_->should_log(spdlog::level::info)) {
    log_->info("rid={} {} {} route={} status={} ms={:.3f} key={} bytes={} remote={}", request.requestId, request.method,
               core::maskPhoneNumbers(target), routeName, status, static_cast<double>(micros) / 1000.0,
               request.principal ? request.principal->keyId : "-", bodyBytes, request.remoteAddr);
  }
}

/// Metrics series are looked up once per thread and (route, method,
/// status), not built per request.
void RequestPipeline::countRequest(const std::string& route, const std::string& method, int status, double seconds) {
  struct Series {
    core::Counter* requests;
    core::Histogram* duration;
  };
  thread_local std::unordered_map<std::string, Series> cache;
  thread_local uint64_t owner = 0;
  if (owner != serial_) {  // a thread may outlive one server and serve the next (tests)
    cache.clear();
    owner = serial_;
  }
  // Labels come from closed sets only: a client that invents methods (or a
  // plugin that answers odd statuses) must not grow the series without end.
  static const std::array<std::string_view, 7> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  const bool known = std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
  const std::string methodLabel = known ? method : "OTHER";
  const std::string statusLabel = status >= 100 && status <= 599 ? std::to_string(status) : "other";
  std::string key = route;
  key.append(1, ' ').append(methodLabel).append(1, ' ').append(statusLabel);
  auto it = cache.find(key);
  if (it == cache.end()) {
    Series series{
        &metrics_->counter("switchboard_http_requests_total", "HTTP requests by route, method and status",
                           {{"route", route}, {"method", methodLabel}, {"status", statusLabel}}),
        &metrics_->histogram("switchboard_http_request_duration_seconds", "Time to answer an HTTP request, by route",
                             core::Metrics::latencyBuckets(), {{"route", route}})};
    it = cache.emplace(std::move(key), series).first;
  }
  it->second.requests->inc();
  it->second.duration->observe(seconds);
}

}  // namespace sb::host

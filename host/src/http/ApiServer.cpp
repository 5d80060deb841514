#include "http/ApiServer.h"

#include "http/ApiError.h"
#include "http/ErrorMapper.h"

#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/log/Redact.h>
#include <switchboard/sdk/encoding.hpp>
#include <switchboard/sdk/http.hpp>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <unordered_map>

namespace sb::host {

struct ApiServer::Shared {
  Shared(std::shared_ptr<const Router> r, ServerOptions o, core::ApiKeyService& keys, core::Metrics* m)
      : router(std::move(r)), options(std::move(o)), apiKeys(keys), metrics(m) {}

  std::shared_ptr<const Router> router;
  ServerOptions options;
  core::ApiKeyService& apiKeys;
  core::Metrics* metrics;
  const uint64_t serial = nextSerial();
  RateLimiter rateLimiter;

  static uint64_t nextSerial() {
    static std::atomic<uint64_t> counter{0};
    return ++counter;
  }
  std::shared_ptr<spdlog::logger> log = core::logger("http");

  int rateFor(const Route& route) const {
    if (auto it = options.rateOverrides.find(route.name); it != options.rateOverrides.end()) {
      return it->second;
    }
    return route.ratePerMinute > 0 ? route.ratePerMinute : options.defaultRatePerMinute;
  }
};

namespace {

std::string requestIdFrom(const Poco::Net::HTTPServerRequest& request) {
  static const std::regex kSafe("[A-Za-z0-9._-]{1,64}");
  std::string given = request.get("X-Request-Id", "");
  if (!given.empty() && std::regex_match(given, kSafe)) {
    return given;
  }
  return core::crypto::toHex(core::crypto::randomBytes(8));
}

std::optional<std::string> presentedKey(const Poco::Net::HTTPServerRequest& request) {
  if (request.has("X-API-Key")) {
    return request.get("X-API-Key");
  }
  if (request.has("Authorization")) {
    const std::string value = request.get("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (value.size() > kBearer.size() && sdk::equalsIgnoreCase(value.substr(0, kBearer.size()), kBearer)) {
      return value.substr(kBearer.size());
    }
  }
  return std::nullopt;
}

/// Reads and drops what is left of a request body (after an early error, or
/// what a streaming handler did not read), so that the client, still
/// sending, gets the response instead of a reset and the connection can be
/// kept. Gives up past kMaxDrainBytes: a huge refused upload is cut off.
bool drainBody(Poco::Net::HTTPServerRequest& request) {
  constexpr std::streamsize kMaxDrainBytes = std::streamsize{8} * 1024 * 1024;
  std::istream& stream = request.stream();
  char buffer[16384];
  std::streamsize drained = 0;
  while (drained <= kMaxDrainBytes && (stream.read(buffer, sizeof buffer) || stream.gcount() > 0)) {
    drained += stream.gcount();
  }
  return drained <= kMaxDrainBytes && stream.eof();
}

bool hasBody(const Poco::Net::HTTPServerRequest& request) {
  return request.getChunkedTransferEncoding() || (request.hasContentLength() && request.getContentLength64() > 0);
}

class ApiRequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ApiRequestHandler(std::shared_ptr<ApiServer::Shared> shared) : shared_(std::move(shared)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    const auto started = std::chrono::steady_clock::now();
    ApiRequest request;
    request.requestId = requestIdFrom(in);
    request.method = in.getMethod();
    std::string keyId = "-";
    std::string routeName = "-";
    ApiResponse response;
    try {
      const Poco::URI uri(in.getURI());
      request.path = uri.getPath();
      request.query = uri.getRawQuery();
      for (const auto& [name, value] : sdk::encoding::parseForm(request.query)) {
        request.queryParams.emplace(name, value);
      }
      request.remoteAddr = in.clientAddress().toString();
      request.takeSocket = [&in] { return static_cast<Poco::Net::HTTPServerRequestImpl&>(in).detachSocket(); };
      for (const auto& [name, value] : in) {
        request.headers.emplace_back(name, value);
      }

      const RouteMatch match = shared_->router->match(request.method, request.path);
      if (match.route == nullptr) {
        if (match.pathMatchedOtherMethod) {
          std::string allow;
          for (const auto& method : match.allowed) {
            allow += (allow.empty() ? "" : ", ") + method;
          }
          ApiError error(405, "METHOD_NOT_ALLOWED", request.method + " is not allowed on " + request.path,
                         {{"allowed", match.allowed}});
          response = ErrorMapper::toResponse(std::make_exception_ptr(error), request.requestId);
          response.headers.emplace_back("Allow", allow);
        } else {
          throw ApiError::notFound("no route for " + request.method + " " + request.path);
        }
      } else {
        const Route& route = *match.route;
        routeName = route.name;
        request.params = match.params;
        authenticate(in, route, request);
        if (request.principal) {
          keyId = request.principal->keyId;
          const int wait = shared_->rateLimiter.acquire(keyId, route.name, shared_->rateFor(route));
          if (wait > 0) {
            throw ApiError(429, "RATE_LIMITED",
                           "rate limit of " + std::to_string(shared_->rateFor(route)) + " requests per minute for " +
                               route.name + " exceeded; retry in " + std::to_string(wait) + " s",
                           {{"route", route.name}, {"limit_per_minute", shared_->rateFor(route)}})
                .withRetryAfter(wait);
          }
        }
        const size_t limit = route.maxBodyBytes > 0 ? route.maxBodyBytes : shared_->options.defaultMaxBodyBytes;
        if (route.streamBody) {
          checkDeclaredLength(in, limit);
          request.bodyStream = &in.stream();
        } else {
          readBody(in, limit, request.body);
        }
        response = route.handler(request);
      }
    } catch (...) {
      response = ErrorMapper::toResponse(std::current_exception(), request.requestId);
    }
    if (!response.detached) {
      if (hasBody(in) && !drainBody(in)) {
        // The unread rest would be parsed as the next request: close instead.
        out.setKeepAlive(false);
      }
      write(in, out, response, request.requestId);
    }
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    if (shared_->metrics != nullptr) {
      countRequest(routeName, request.method, response.status, static_cast<double>(micros) / 1e6);
    }
    if (shared_->options.logRequests && shared_->log->should_log(spdlog::level::info)) {
      shared_->log->info("rid={} {} {} route={} status={} ms={:.3f} key={} bytes={} remote={}", request.requestId,
                         request.method, core::maskPhoneNumbers(in.getURI()), routeName, response.status,
                         static_cast<double>(micros) / 1000.0, keyId, response.body.size(), request.remoteAddr);
    }
  }

 private:
  /// Metrics series are looked up once per thread and (route, method,
  /// status), not built per request.
  void countRequest(const std::string& route, const std::string& method, int status, double seconds) {
    struct Series {
      core::Counter* requests;
      core::Histogram* duration;
    };
    thread_local std::unordered_map<std::string, Series> cache;
    thread_local uint64_t owner = 0;
    if (owner != shared_->serial) {  // pool threads belong to one server, but be sure
      cache.clear();
      owner = shared_->serial;
    }
    std::string key = route;
    key.append(1, ' ').append(method).append(1, ' ').append(std::to_string(status));
    auto it = cache.find(key);
    if (it == cache.end()) {
      core::Metrics& metrics = *shared_->metrics;
      Series series{
          &metrics.counter("switchboard_http_requests_total", "HTTP requests by route, method and status",
                           {{"route", route}, {"method", method}, {"status", std::to_string(status)}}),
          &metrics.histogram("switchboard_http_request_duration_seconds", "Time to answer an HTTP request, by route",
                             core::Metrics::latencyBuckets(), {{"route", route}})};
      it = cache.emplace(std::move(key), series).first;
    }
    it->second.requests->inc();
    it->second.duration->observe(seconds);
  }

  void authenticate(const Poco::Net::HTTPServerRequest& in, const Route& route, ApiRequest& request) {
    if (route.access == Access::Public || route.access == Access::Signed) {
      return;
    }
    const auto key = presentedKey(in);
    if (!key || key->empty()) {
      throw ApiError::unauthorized("missing API key: send it in the X-API-Key header or as Authorization: Bearer");
    }
    request.principal = shared_->apiKeys.authenticate(*key);
    if (!request.principal) {
      throw ApiError::unauthorized("invalid or revoked API key");
    }
    if (route.access == Access::Admin && request.principal->role != core::Role::Admin) {
      throw ApiError::forbidden(route.name + " needs an admin key; this key has role '" +
                                core::roleName(request.principal->role) + "'");
    }
  }

  static void checkDeclaredLength(const Poco::Net::HTTPServerRequest& in, size_t limit) {
    if (in.hasContentLength() && in.getContentLength64() > static_cast<Poco::Int64>(limit)) {
      throw ApiError(413, "PAYLOAD_TOO_LARGE",
                     "request body of " + std::to_string(in.getContentLength64()) + " bytes exceeds the limit of " +
                         std::to_string(limit) + " bytes",
                     {{"limit_bytes", limit}});
    }
  }

  static void readBody(Poco::Net::HTTPServerRequest& in, size_t limit, std::string& body) {
    checkDeclaredLength(in, limit);
    std::istream& stream = in.stream();
    char buffer[16384];
    while (stream.read(buffer, sizeof buffer) || stream.gcount() > 0) {
      body.append(buffer, static_cast<size_t>(stream.gcount()));
      if (body.size() > limit) {
        throw ApiError(413, "PAYLOAD_TOO_LARGE",
                       "request body exceeds the limit of " + std::to_string(limit) + " bytes",
                       {{"limit_bytes", limit}});
      }
    }
  }

  static void write(const Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out,
                    const ApiResponse& response, const std::string& requestId) {
    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    out.setContentType(response.contentType);
    out.set("X-Request-Id", requestId);
    out.set("Cache-Control", "no-store");
    out.set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : response.headers) {
      out.set(name, value);
    }
    out.setContentLength64(static_cast<Poco::Int64>(response.body.size()));
    std::ostream& stream = out.send();
    if (in.getMethod() != "HEAD") {
      stream.write(response.body.data(), static_cast<std::streamsize>(response.body.size()));
    }
  }

  std::shared_ptr<ApiServer::Shared> shared_;
};

class ApiHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit ApiHandlerFactory(std::shared_ptr<ApiServer::Shared> shared) : shared_(std::move(shared)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new ApiRequestHandler(shared_);
  }

 private:
  std::shared_ptr<ApiServer::Shared> shared_;
};

}  // namespace

ApiServer::ApiServer(std::shared_ptr<const Router> router, ServerOptions options, core::ApiKeyService& apiKeys,
                     core::Metrics* metrics)
    : shared_(std::make_shared<Shared>(std::move(router), std::move(options), apiKeys, metrics)) {}

ApiServer::~ApiServer() {
  stop();
}

void ApiServer::bind() {
  if (socket_) {
    return;
  }
  const Poco::Net::SocketAddress address(shared_->options.host, shared_->options.port);
  socket_ = std::make_unique<Poco::Net::ServerSocket>(address, 128);
}

void ApiServer::start() {
  bind();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(shared_->options.maxThreads);
  params->setMaxQueued(shared_->options.maxQueued);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(shared_->options.keepAliveTimeoutS, 0));
  params->setTimeout(Poco::Timespan(30, 0));
  params->setServerName("switchboard");
  // A pool of our own, so maxThreads is really the ceiling (the default
  // pool caps at 16 threads).
  pool_ = std::make_unique<Poco::ThreadPool>(2, shared_->options.maxThreads);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new ApiHandlerFactory(shared_), *pool_, *socket_, params);
  server_->start();
}

void ApiServer::stop() {
  if (server_) {
    server_->stopAll(true);
    server_.reset();
  }
  if (pool_) {
    pool_->joinAll();
    pool_.reset();
  }
}

uint16_t ApiServer::port() const {
  return socket_ ? socket_->address().port() : 0;
}

int ApiServer::rateFor(const Route& route) const {
  return shared_->rateFor(route);
}

}  // namespace sb::host

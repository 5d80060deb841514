#include <switchboard/core/net/HttpClient.h>

#include "net/SessionPool.h"

#include <switchboard/core/metrics/Metrics.h>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <algorithm>
#include <istream>
#include <memory>
#include <mutex>
#include <thread>

namespace sb::core {
namespace {

Poco::Timespan toTimespan(std::chrono::milliseconds ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

Poco::Net::Context::Ptr tlsContext(bool verify) {
  // One context per verification mode, created on first use; Poco contexts
  // are thread-safe to share between sessions.
  static std::once_flag once;
  static Poco::Net::Context::Ptr verifying;
  static Poco::Net::Context::Ptr relaxed;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    verifying = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                       Poco::Net::Context::VERIFY_RELAXED, 9, true);
    relaxed = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_NONE, 9,
                                     false);
  });
  return verify ? verifying : relaxed;
}

int64_t unixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string statusClass(int status) {
  return status <= 0 ? "error" : std::to_string(status / 100) + "xx";
}

bool knownMethod(const std::string& method) {
  for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (method == m) {
      return true;
    }
  }
  return false;
}

}  // namespace

struct HttpClient::Attempt {
  int status = 0;  ///< 0: no response
  double seconds = 0;
  bool reused = false;
};

HttpClient::HttpClient(HttpClientOptions options, Metrics* metrics)
    : options_(options),
      metrics_(metrics),
      pool_(std::make_unique<SessionPool>(options_.maxIdlePerHost, options_.idleTimeout,
                                          tlsContext(options_.verifyTls))) {}

HttpClient::~HttpClient() = default;

size_t HttpClient::idleConnections() const {
  return pool_->idleCount();
}

sdk::HttpResponse HttpClient::send(const sdk::HttpRequest& request, const std::string& client,
                                   std::optional<std::chrono::steady_clock::time_point> deadline) const {
  if (!knownMethod(request.method)) {
    throw std::invalid_argument("unsupported HTTP method '" + request.method + "'");
  }
  const auto asked = request.timeoutMs > 0 ? std::chrono::milliseconds(request.timeoutMs) : options_.requestTimeout;
  const auto left = [&deadline] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
  };
  int rateLimited = 0;
  int failed = 0;
  for (;;) {
    Attempt attempt;
    RetryDecision decision;
    sdk::HttpResponse response;
    const auto timeout = deadline ? std::clamp(left(), std::chrono::milliseconds(1), asked) : asked;
    try {
      response = sendOnce(request, timeout, attempt);
      observe(client, attempt);
      decision = afterResponse(options_.retry, request, response, rateLimited, failed, unixSeconds());
      if (decision.again && deadline && left() <= decision.wait) {
        decision.again = false;  // the caller's deadline comes first
      }
      if (!decision.again) {
        return response;
      }
    } catch (const HttpTransportError& e) {
      observe(client, attempt);
      decision = afterNoAnswer(options_.retry, request, failed);
      if (decision.again && deadline && left() <= decision.wait) {
        throw;
      }
      if (!decision.again) {
        if (repeatable(request)) {
          throw;
        }
        // Said so the caller knows a second attempt is theirs to judge.
        throw HttpTransportError(std::string(e.what()) + " (not retried: a " + request.method +
                                 " without an Idempotency-Key may have been carried out)");
      }
    }
    (decision.reason == "429" ? rateLimited : failed) += 1;
    if (metrics_ != nullptr) {
      metrics_
          ->counter("switchboard_outbound_retries_total", "Outbound requests sent again, by cause",
                    {{"client", client}, {"reason", decision.reason}})
          .inc();
    }
    std::this_thread::sleep_for(decision.wait);
  }
}

void HttpClient::observe(const std::string& client, const Attempt& attempt) const {
  if (metrics_ == nullptr) {
    return;
  }
  metrics_
      ->counter("switchboard_outbound_requests_total", "Outbound HTTP attempts by status class (error: no response)",
                {{"client", client}, {"class", statusClass(attempt.status)}})
      .inc();
  metrics_
      ->histogram("switchboard_outbound_request_seconds", "Outbound HTTP attempt latency", Metrics::latencyBuckets(),
                  {{"client", client}})
      .observe(attempt.seconds);
  if (!attempt.reused) {
    metrics_
        ->counter("switchboard_outbound_connections_opened_total",
                  "New outbound connections (each a TCP and, for https, a TLS handshake)", {{"client", client}})
        .inc();
  }
}

sdk::HttpResponse HttpClient::sendOnce(const sdk::HttpRequest& request, std::chrono::milliseconds timeout,
                                       Attempt& attempt) const {
  Poco::URI uri;
  try {
    uri = Poco::URI(request.url);
  } catch (const Poco::Exception& e) {
    throw std::invalid_argument("bad URL '" + request.url + "': " + e.displayText());
  }
  const std::string scheme = uri.getScheme();
  if ((scheme != "http" && scheme != "https") || uri.getHost().empty()) {
    throw std::invalid_argument("URL must be absolute http or https, got '" + request.url + "'");
  }

  const auto started = std::chrono::steady_clock::now();
  const auto finish = [&attempt, started] {
    attempt.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  SessionPool::Lease lease = pool_->acquire(scheme, uri.getHost(), uri.getPort());
  attempt.reused = lease.reused;
  Poco::Net::HTTPClientSession& session = *lease.session;
  session.setTimeout(toTimespan(std::min(options_.connectTimeout, timeout)), toTimespan(timeout), toTimespan(timeout));

  std::string target = uri.getPathEtc();
  if (target.empty()) {
    target = "/";
  }
  Poco::Net::HTTPRequest out(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  out.setKeepAlive(true);
  for (const auto& [name, value] : request.headers) {
    out.add(name, value);
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    out.setContentLength(static_cast<std::streamsize>(request.body.size()));
  }

  try {
    std::ostream& body = session.sendRequest(out);
    body.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    Poco::Net::HTTPResponse in;
    std::istream& stream = session.receiveResponse(in);

    sdk::HttpResponse response;
    response.status = static_cast<int32_t>(in.getStatus());
    for (const auto& [name, value] : in) {
      response.headers.emplace_back(name, value);
    }
    char buffer[16384];
    while (stream.read(buffer, sizeof buffer) || stream.gcount() > 0) {
      response.body.append(buffer, static_cast<size_t>(stream.gcount()));
      if (response.body.size() > options_.maxResponseBytes) {
        finish();
        throw HttpTransportError("response from " + uri.getHost() + " exceeds " +
                                 std::to_string(options_.maxResponseBytes) + " bytes");
      }
    }
    finish();
    attempt.status = response.status;
    // The whole body is read: the connection may serve the next request.
    if (in.getKeepAlive() && stream.eof() && !stream.bad()) {
      pool_->release(std::move(lease));
    }
    return response;
  } catch (const Poco::TimeoutException& e) {
    finish();
    throw HttpTransportError("timeout talking to " + uri.getHost() + ":" + std::to_string(uri.getPort()) + " (" +
                             e.displayText() + ")");
  } catch (const Poco::Net::SSLException& e) {
    finish();
    throw HttpTransportError("TLS error with " + uri.getHost() + ": " + e.displayText());
  } catch (const Poco::Exception& e) {
    finish();
    throw HttpTransportError("no response from " + uri.getHost() + ":" + std::to_string(uri.getPort()) + ": " +
                             e.displayText());
  }
}

}  // namespace sb::core

#include <switchboard/core/net/HttpClient.h>

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

#include <istream>
#include <memory>
#include <mutex>

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

bool knownMethod(const std::string& method) {
  for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (method == m) {
      return true;
    }
  }
  return false;
}

}  // namespace

HttpClient::HttpClient(HttpClientOptions options) : options_(options) {}

sdk::HttpResponse HttpClient::send(const sdk::HttpRequest& request) const {
  if (!knownMethod(request.method)) {
    throw std::invalid_argument("unsupported HTTP method '" + request.method + "'");
  }
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

  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (scheme == "https") {
    session =
        std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), tlsContext(options_.verifyTls));
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  }
  const auto timeout = request.timeoutMs > 0 ? std::chrono::milliseconds(request.timeoutMs) : options_.requestTimeout;
  session->setTimeout(toTimespan(options_.connectTimeout), toTimespan(timeout), toTimespan(timeout));
  session->setKeepAlive(false);

  std::string target = uri.getPathEtc();
  if (target.empty()) {
    target = "/";
  }
  Poco::Net::HTTPRequest out(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : request.headers) {
    out.add(name, value);
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    out.setContentLength(static_cast<std::streamsize>(request.body.size()));
  }

  try {
    std::ostream& body = session->sendRequest(out);
    body.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    Poco::Net::HTTPResponse in;
    std::istream& stream = session->receiveResponse(in);

    sdk::HttpResponse response;
    response.status = static_cast<int32_t>(in.getStatus());
    for (const auto& [name, value] : in) {
      response.headers.emplace_back(name, value);
    }
    char buffer[16384];
    while (stream.read(buffer, sizeof buffer) || stream.gcount() > 0) {
      response.body.append(buffer, static_cast<size_t>(stream.gcount()));
      if (response.body.size() > options_.maxResponseBytes) {
        throw HttpTransportError("response from " + uri.getHost() + " exceeds " +
                                 std::to_string(options_.maxResponseBytes) + " bytes");
      }
    }
    return response;
  } catch (const Poco::TimeoutException& e) {
    throw HttpTransportError("timeout talking to " + uri.getHost() + ":" + std::to_string(uri.getPort()) + " (" +
                             e.displayText() + ")");
  } catch (const Poco::Net::SSLException& e) {
    throw HttpTransportError("TLS error with " + uri.getHost() + ": " + e.displayText());
  } catch (const Poco::Exception& e) {
    throw HttpTransportError("no response from " + uri.getHost() + ":" + std::to_string(uri.getPort()) + ": " +
                             e.displayText());
  }
}

}  // namespace sb::core

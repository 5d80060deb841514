#include "support/CaptureServer.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

namespace sb::test {
namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(CaptureServer& owner) : owner_(owner) {}
  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    sdk::HttpRequest request;
    request.method = in.getMethod();
    const Poco::URI uri(in.getURI());
    request.path = uri.getPath();
    request.query = uri.getRawQuery();
    request.remoteAddr = in.clientAddress().toString();  // one per connection: shows keep-alive
    for (const auto& [name, value] : in) {
      request.headers.emplace_back(name, value);
    }
    Poco::StreamCopier::copyToString(in.stream(), request.body);
    const sdk::HttpResponse reply = owner_.reply(request);
    owner_.record(std::move(request));
    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    for (const auto& [name, value] : reply.headers) {
      out.set(name, value);
    }
    out.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    out.send() << reply.body;
  }

 private:
  CaptureServer& owner_;
};

class CaptureHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit CaptureHandlerFactory(CaptureServer& owner) : owner_(owner) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(owner_);
  }

 private:
  CaptureServer& owner_;
};

}  // namespace

CaptureServer::CaptureServer(int replyStatus, std::chrono::milliseconds keepAlive) : replyStatus_(replyStatus) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setKeepAliveTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(keepAlive.count()) * 1000));
  server_ = std::make_unique<Poco::Net::HTTPServer>(new CaptureHandlerFactory(*this), socket, params);
  server_->start();
}

CaptureServer::~CaptureServer() {
  server_->stopAll(true);
}

void CaptureServer::setResponder(Responder responder) {
  std::lock_guard lock(mutex_);
  responder_ = std::move(responder);
}

sdk::HttpResponse CaptureServer::reply(const sdk::HttpRequest& request) {
  Responder responder;
  {
    std::lock_guard lock(mutex_);
    responder = responder_;
  }
  if (responder) {
    return responder(request);
  }
  return {replyStatus_, {}, {}};
}

void CaptureServer::record(sdk::HttpRequest request) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }
  arrived_.notify_all();
}

std::vector<sdk::HttpRequest> CaptureServer::waitFor(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
  return requests_;
}

std::vector<sdk::HttpRequest> CaptureServer::requests() {
  std::lock_guard lock(mutex_);
  return requests_;
}

}  // namespace sb::test

// The machine's HTTP ceiling for the webhook benchmark: a Poco HTTPServer
// configured like the host's (own thread pool of 64, keep-alive) that
// answers every request with a fixed body and does nothing else.
//   sb_bench_hello PORT
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

class Hello final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    // Read the body like a webhook endpoint must.
    std::string body;
    char buffer[4096];
    while (request.stream().read(buffer, sizeof buffer) || request.stream().gcount() > 0) {
      body.append(buffer, static_cast<size_t>(request.stream().gcount()));
    }
    static const std::string kReply = R"({"received":true})";
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(kReply.size()));
    response.send() << kReply;
  }
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Hello;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sb_bench_hello PORT\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(std::atoi(argv[1]))),
                                 128);
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(64);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(5, 0));
  Poco::ThreadPool pool(2, 64);
  Poco::Net::HTTPServer server(new Factory, pool, socket, params);
  server.start();
  std::cout << "hello server on port " << socket.address().port() << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  server.stopAll(true);
  pool.joinAll();
  return 0;
}

// What kept-alive outbound connections save a plugin: sequential requests
// through the host's HttpClient to a local HTTPS (and HTTP) server, with the
// connection pool on (the default) and off (a TCP and TLS handshake per
// request, as before). Loopback hides network round trips, so the saving
// against a real provider is larger: each handshake there costs 2-3 RTTs.
//   sb_bench_outbound KEY.pem CERT.pem [REQUESTS]
#include <switchboard/core/net/HttpClient.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

class Reply final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) override {
    static const std::string kBody = R"({"sid":"CA0123456789abcdef0123456789abcdef","status":"in-progress"})";
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(kBody.size()));
    response.send() << kBody;
  }
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Reply;
  }
};

struct Figures {
  double meanUs = 0;
  double p50Us = 0;
  double p99Us = 0;
};

Figures run(const std::string& url, size_t maxIdle, int requests) {
  sb::core::HttpClientOptions options;
  options.verifyTls = false;  // a self-signed certificate made for the run
  options.maxIdlePerHost = maxIdle;
  sb::core::HttpClient client(options);
  sb::sdk::HttpRequest request;
  request.url = url;
  std::vector<double> us;
  us.reserve(static_cast<size_t>(requests));
  for (int i = 0; i < requests; ++i) {
    const auto started = std::chrono::steady_clock::now();
    if (client.send(request).status != 200) {
      std::fprintf(stderr, "unexpected status\n");
      std::exit(1);
    }
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started).count());
  }
  std::sort(us.begin(), us.end());
  Figures f;
  for (const double v : us) f.meanUs += v / static_cast<double>(us.size());
  f.p50Us = us[us.size() / 2];
  f.p99Us = us[us.size() * 99 / 100];
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s KEY.pem CERT.pem [REQUESTS]\n", argv[0]);
    return 2;
  }
  const int requests = argc > 3 ? std::atoi(argv[3]) : 2000;
  Poco::Net::Context::Ptr tls =
      new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, argv[1], argv[2], "", Poco::Net::Context::VERIFY_NONE);
  Poco::Net::SecureServerSocket secureSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, tls);
  Poco::Net::ServerSocket plainSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64);
  const std::string https = "https://127.0.0.1:" + std::to_string(secureSocket.address().port()) + "/Calls/CA1.json";
  const std::string http = "http://127.0.0.1:" + std::to_string(plainSocket.address().port()) + "/Calls/CA1.json";
  Poco::Net::HTTPServer secureServer(new Factory, secureSocket, new Poco::Net::HTTPServerParams);
  Poco::Net::HTTPServer plainServer(new Factory, plainSocket, new Poco::Net::HTTPServerParams);
  secureServer.start();
  plainServer.start();

  std::printf("%-7s %-30s %10s %10s %10s\n", "scheme", "connections", "mean_us", "p50_us", "p99_us");
  for (const auto& [scheme, url] : {std::pair{"https", https}, std::pair{"http", http}}) {
    run(url, 8, 50);  // warm-up
    const Figures fresh = run(url, 0, requests);
    const Figures kept = run(url, 8, requests);
    std::printf("%-7s %-30s %10.0f %10.0f %10.0f\n", scheme, "new per request (pool off)", fresh.meanUs, fresh.p50Us,
                fresh.p99Us);
    std::printf("%-7s %-30s %10.0f %10.0f %10.0f\n", scheme, "kept alive (default)", kept.meanUs, kept.p50Us,
                kept.p99Us);
    std::printf("%-7s mean ratio kept/new: %.2f\n", scheme, kept.meanUs / fresh.meanUs);
  }
  secureServer.stopAll(true);
  plainServer.stopAll(true);
  return 0;
}

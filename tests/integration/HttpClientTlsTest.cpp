// Outbound HTTPS through the host's client against a local TLS server with a
// self-signed certificate made here: TLS works, and certificate
// verification is on unless turned off, and a connection is kept alive (one
// handshake for several requests).
#include "support/TempDir.h"

#include <switchboard/core/net/HttpClient.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace {

/// Writes key.pem and cert.pem (self-signed, CN=127.0.0.1, one hour).
void makeSelfSigned(const std::filesystem::path& dir) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  REQUIRE(key);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  FILE* keyFile = std::fopen((dir / "key.pem").c_str(), "w");
  PEM_write_PrivateKey(keyFile, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(keyFile);
  FILE* certFile = std::fopen((dir / "cert.pem").c_str(), "w");
  PEM_write_X509(certFile, cert.get());
  std::fclose(certFile);
}

/// The client addresses requests came from: one per connection.
std::mutex peersMutex;
std::set<std::string> peers;

class Hello final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    {
      std::lock_guard lock(peersMutex);
      peers.insert(request.clientAddress().toString());
    }
    response.setContentType("text/plain");
    response.setContentLength(6);  // a body of known length: the connection may stay open
    response.send() << "tls-ok";
  }
};

class HelloFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Hello;
  }
};

}  // namespace

TEST_CASE("outbound HTTPS works, and self-signed certificates are refused unless verification is off", "[http][tls]") {
  sb::test::TempDir dir;
  makeSelfSigned(dir.path());
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, (dir / "key.pem").string(),
                             (dir / "cert.pem").string(), "", Poco::Net::Context::VERIFY_NONE);
  Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
  const auto port = socket.address().port();
  Poco::Net::HTTPServer server(new HelloFactory, socket, new Poco::Net::HTTPServerParams);
  server.start();

  sb::sdk::HttpRequest request;
  request.url = "https://127.0.0.1:" + std::to_string(port) + "/hello";

  sb::core::HttpClientOptions relaxed;
  relaxed.verifyTls = false;
  const sb::core::HttpClient client(relaxed);
  for (int i = 0; i < 3; ++i) {
    const auto response = client.send(request);
    CHECK(response.status == 200);
    CHECK(response.body == "tls-ok");
  }
  {
    // One TLS handshake for the three: the connection is kept alive.
    std::lock_guard lock(peersMutex);
    CHECK(peers.size() == 1);
  }

  CHECK_THROWS_AS(sb::core::HttpClient().send(request), sb::core::HttpTransportError);
  server.stopAll(true);
}

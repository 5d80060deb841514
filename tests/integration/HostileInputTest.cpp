// What an attacker or a careless client sends, through real sockets: each
// case once took the host down or broke it for everyone (the security
// review of 2026-12-02). Deep JSON, slow and oversized uploads, invented
// methods, invalid UTF-8 wherever text enters, smuggling-shaped framing,
// static paths out of the web root, connection and stream hogs, key
// guessing.
#include "support/ApiClient.h"
#include "support/HttpCall.h"
#include "support/TempDir.h"
#include "support/TestHost.h"
#include "support/Wire.h"

#include <switchboard/core/text/Utf8.h>

#include <Poco/Net/NetException.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <thread>
#include <vector>

using Catch::Matchers::Contains;
using sb::test::ApiClient;
using sb::test::ApiReply;
using sb::test::httpCall;
using sb::test::TestHost;
using sb::test::Wire;

namespace {

const std::string kCsv = "name,company,phone\nAda,Example,+12125550100\n";

std::string nested(size_t depth, const std::string& open = "[", const std::string& close = "]") {
  std::string text;
  text.reserve(depth * (open.size() + close.size()));
  for (size_t i = 0; i < depth; ++i) text += open;
  for (size_t i = 0; i < depth; ++i) text += close;
  return text;
}

/// A request on its own connection, raw; the response or status 0 when the
/// server closed the connection without one.
Wire::Response rawRequest(uint16_t port, const std::string& bytes) {
  Wire wire(port);
  wire.send(bytes);
  try {
    return wire.read();
  } catch (const std::exception&) {
    return {};
  }
}

std::string get(const std::string& target, const std::string& extraHeaders = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extraHeaders + "\r\n";
}

bool healthy(uint16_t port, std::chrono::milliseconds within) {
  const auto started = std::chrono::steady_clock::now();
  const auto reply = httpCall(port, "GET", "/health");
  return reply.status == 200 && std::chrono::steady_clock::now() - started < within;
}

size_t seriesCount(uint16_t port, const std::string& metric) {
  const auto scraped = httpCall(port, "GET", "/metrics");
  size_t count = 0;
  size_t at = 0;
  const std::string prefix = "\n" + metric + "{";
  while ((at = scraped.body.find(prefix, at)) != std::string::npos) {
    ++count;
    at += prefix.size();
  }
  return count;
}

}  // namespace

TEST_CASE("hostile: JSON nested past the bound is a 400, never a crash", "[hostile]") {
  TestHost host;
  ApiClient agent(host.port(), host.agentKey);
  REQUIRE(agent.sendRaw("POST", "/api/v1/contact-lists?name=deep", kCsv, "text/csv").status == 201);
  const auto contacts = agent.get("/api/v1/contacts");
  REQUIRE(contacts.json["data"].size() == 1);
  const std::string id = std::to_string(contacts.json["data"][0]["id"].get<int64_t>());

  // 150,000 levels in attributes took the host down with SIGSEGV.
  const auto deep =
      agent.sendRaw("PATCH", "/api/v1/contacts/" + id, "{\"attributes\":" + nested(150000) + "}", "application/json");
  CHECK(deep.status == 400);
  CHECK(deep.json["error"]["code"] == "VALIDATION_ERROR");
  CHECK(deep.json["error"]["details"]["max_depth"] == 64);
  const auto objects = agent.sendRaw("PATCH", "/api/v1/contacts/" + id,
                                     "{\"attributes\":" + nested(100, "{\"a\":", "}") + "}", "application/json");
  CHECK(objects.status == 400);
  // At the bound it is accepted and stored whole.
  const auto fine = agent.sendRaw("PATCH", "/api/v1/contacts/" + id, "{\"attributes\":{\"x\":" + nested(60) + "}}",
                                  "application/json");
  CHECK(fine.status == 200);
  // A deep array inside a string is text, not nesting.
  CHECK(agent
            .sendRaw("PATCH", "/api/v1/contacts/" + id,
                     "{\"attributes\":{\"note\":\"" + std::string(1000, '[') + "\\\"\"}}", "application/json")
            .status == 200);
  // A number no double holds is the client's error too (it was a 500).
  const auto huge = agent.sendRaw("POST", "/api/v1/dnc", "{\"a\":1e99999}", "application/json");
  CHECK(huge.status == 400);
  CHECK(huge.json["error"]["code"] == "VALIDATION_ERROR");
  CHECK(healthy(host.port(), std::chrono::seconds(1)));
}

TEST_CASE("hostile: slow uploads are refused from the head or cut off - /health keeps answering", "[hostile]") {
  TestHost host({{"http.max_threads", "4"},
                 {"http.max_queued", "4"},
                 {"http.max_uploads", "3"},
                 {"http.max_uploads_per_client", "2"},
                 {"http.body_grace_s", "1"},
                 {"http.body_min_bytes_per_s", "2000"}});
  const std::string head =
      "POST /api/v1/contact-lists?name=slow HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
      "Content-Length: 100000\r\n";
  SECTION("without a key: 401 at once, before any body byte") {
    std::vector<std::unique_ptr<Wire>> attackers;
    for (int i = 0; i < 20; ++i) {
      attackers.push_back(std::make_unique<Wire>(host.port()));
      attackers.back()->send(head + "\r\nn");
    }
    for (auto& attacker : attackers) {
      const auto reply = attacker->read();
      INFO(reply.body);
      CHECK(reply.status == 401);
    }
    CHECK(healthy(host.port(), std::chrono::seconds(1)));
  }
  SECTION("with a key: two per address, the rest told to wait; a trickle is cut off") {
    std::vector<std::unique_ptr<Wire>> uploads;
    for (int i = 0; i < 2; ++i) {
      uploads.push_back(std::make_unique<Wire>(host.port()));
      uploads.back()->send(head + "X-API-Key: " + host.agentKey + "\r\n\r\nname,company,phone\n");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // both admitted and reading
    Wire third(host.port());
    third.send(head + "X-API-Key: " + host.agentKey + "\r\n\r\nn");
    const auto refused = third.read();
    CHECK(refused.status == 429);
    CHECK(refused.headers.at("retry-after") == "5");
    CHECK(healthy(host.port(), std::chrono::seconds(1)));
    // Nothing more arrives: at 2,000 bytes/s after a 1 s grace they are cut off.
    const auto started = std::chrono::steady_clock::now();
    for (auto& upload : uploads) {
      CHECK(upload->read().status == 408);
    }
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    // Their slots are free again.
    ApiClient agent(host.port(), host.agentKey);
    CHECK(agent.sendRaw("POST", "/api/v1/contact-lists?name=ok", kCsv, "text/csv").status == 201);
  }
  SECTION("the content type is checked from the head") {
    Wire wrong(host.port());
    wrong.send("POST /api/v1/contact-lists HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-evil\r\nX-API-Key: " +
               host.agentKey + "\r\nContent-Length: 100000\r\n\r\n");
    CHECK(wrong.read().status == 415);
  }
}

TEST_CASE("hostile: invented methods and paths leave the metric series as they were", "[hostile]") {
  TestHost host;
  Wire wire(host.port());
  std::mt19937 random(7);
  const auto word = [&random](size_t length) {
    std::string text;
    for (size_t i = 0; i < length; ++i) text.push_back(static_cast<char>('A' + random() % 26));
    return text;
  };
  const auto send = [&wire](const std::string& method, const std::string& path) {
    wire.send(method + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    return wire.read().status;
  };
  // One of each shape first: an unknown method on a known path and on an
  // unknown one.
  send("FOO", "/health");
  send("BAR", "/nowhere");
  seriesCount(host.port(), "switchboard_http_requests_total");  // the scrape's own series
  const size_t before = seriesCount(host.port(), "switchboard_http_requests_total");
  for (int i = 0; i < 10000; ++i) {
    send(word(8), "/" + word(12));
  }
  for (int i = 0; i < 200; ++i) {
    send(word(6), "/health");
  }
  CHECK(seriesCount(host.port(), "switchboard_http_requests_total") == before);
  CHECK_THAT(httpCall(host.port(), "GET", "/metrics").body, Contains("method=\"OTHER\""));
}

TEST_CASE("hostile: text that is not UTF-8 is refused at the edge, naming the field - nothing is stored", "[hostile]") {
  TestHost host;
  ApiClient agent(host.port(), host.agentKey);
  ApiClient admin(host.port(), host.adminKey);
  SECTION("a list name") {
    const auto named = agent.sendRaw("POST", "/api/v1/contact-lists?name=%E9quipe", kCsv, "text/csv");
    CHECK(named.status == 400);
    CHECK(named.json["error"]["details"]["field"] == "name");
    CHECK(agent.sendRaw("POST", "/api/v1/contact-lists?filename=%FFx.csv", kCsv, "text/csv").status == 400);
    const auto lists = agent.get("/api/v1/contact-lists");
    CHECK(lists.status == 200);
    CHECK(lists.json["data"].empty());
  }
  SECTION("an agent id in Latin-1: no call is placed") {
    const auto placed = admin.send("POST", "/api/v1/calls", {{"to", "+12125550190"}}, {{"X-Agent-Id", "Jos\xe9"}});
    CHECK(placed.status == 400);
    CHECK(placed.json["error"]["details"]["field"] == "X-Agent-Id");
    const auto calls = agent.get("/api/v1/calls");
    CHECK(calls.status == 200);
    CHECK(calls.json["total"] == 0);
    CHECK(agent.get("/api/v1/stats").status == 200);
  }
  SECTION("an echoed invalid byte still gets an answer") {
    for (const std::string& request :
         std::vector<std::string>{get("/%FF"), get("/api/v1/contacts?page=%FF", "X-API-Key: " + host.agentKey + "\r\n"),
                                  get("/api/v1/events", "X-API-Key: " + host.agentKey + "\r\nLast-Event-ID: \xff\r\n"),
                                  get("/ui/%c0%ae%c0%ae/etc/passwd"), get("/health", "Content-Type: text/\xff\r\n")}) {
      const auto answer = rawRequest(host.port(), request);
      CHECK(answer.status == 400);
      CHECK(sb::core::isValidUtf8(answer.body));
    }
    const auto body = agent.sendRaw("POST", "/api/v1/dnc", "{\"phone\":\"\xff\"}", "application/json");
    CHECK(body.status == 400);
    CHECK(body.json["error"]["code"] == "VALIDATION_ERROR");
  }
  CHECK(healthy(host.port(), std::chrono::seconds(1)));
}

TEST_CASE("hostile: a long multibyte phone cell is reported, cut on a character boundary", "[hostile]") {
  TestHost host;
  ApiClient agent(host.port(), host.agentKey);
  // A character of every UTF-8 length, straddling byte 200 at every offset.
  for (const std::string& character : std::vector<std::string>{std::string("\xc3\xa9"), std::string("\xe6\x97\xa5"),
                                                               std::string("\xf0\x9f\x98\x80"), std::string("x")}) {
    for (size_t lead = 197; lead <= 200; ++lead) {
      const std::string cell = std::string(lead, '1') + character + "9";
      const auto reply = agent.sendRaw("POST", "/api/v1/contact-lists?name=cut",
                                       "name,company,phone\nGood,Co,+12125550108\nBad,Co," + cell + "\n", "text/csv");
      REQUIRE(reply.status == 201);
      CHECK(reply.json["list"]["imported"] == 1);
      const auto& issues = reply.json["report"]["issues"];
      REQUIRE(issues.size() == 1);
      const std::string value = issues[0]["value"];
      CHECK(sb::core::isValidUtf8(value));
      CHECK(value.size() <= 203);
    }
  }
  // Every row bad: still an answer, saying so.
  const auto none = agent.sendRaw("POST", "/api/v1/contact-lists?name=none",
                                  "name,company,phone\nBad,Co," + std::string(199, '1') + "\xc3\xa9\n", "text/csv");
  CHECK(none.status >= 400);
  CHECK(none.status < 500);
}

TEST_CASE("hostile: every upload part is bounded - the whole body counts however it is framed", "[hostile]") {
  TestHost host(std::map<std::string, std::string>{{"import.max_bytes", "100000"}});
  const std::string boundary = "----sbhostile";
  const auto part = [&boundary](const std::string& name, const std::string& value) {
    return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  };
  const std::string file = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
                           "Content-Type: text/csv\r\n\r\n" +
                           kCsv + "\r\n--" + boundary + "--\r\n";
  ApiClient agent(host.port(), host.agentKey);
  const std::string type = "multipart/form-data; boundary=" + boundary;
  const auto longName =
      agent.sendRaw("POST", "/api/v1/contact-lists", part("name", std::string(5000, 'n')) + file, type);
  CHECK(longName.status == 400);
  CHECK(longName.json["error"]["details"]["field"] == "name");

  // A torn boundary line once made the form walk ask for a next part
  // forever, holding a worker (found by the upload_form fuzzer).
  std::ifstream torn(std::string(SB_SOURCE_DIR) + "/tests/fuzz/corpus/form/torn_boundary_loop.txt", std::ios::binary);
  const std::string tornBody((std::istreambuf_iterator<char>(torn)), std::istreambuf_iterator<char>());
  REQUIRE_FALSE(tornBody.empty());
  const auto started = std::chrono::steady_clock::now();
  const auto tornReply =
      agent.sendRaw("POST", "/api/v1/contact-lists", tornBody, "multipart/form-data; boundary=sbfuzz");
  CHECK(tornReply.status == 400);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));

  // A chunked body declares no length: a 1 MB junk part is cut off at the
  // limit (it was read into memory whole and then imported).
  Wire wire(host.port());
  wire.send("POST /api/v1/contact-lists HTTP/1.1\r\nHost: x\r\nX-API-Key: " + host.agentKey +
            "\r\nContent-Type: " + type + "\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string junk = part("junk", std::string(1 << 20, 'j')) + file;
  try {
    for (size_t at = 0; at < junk.size(); at += 65536) {
      const std::string chunk = junk.substr(at, 65536);
      char size[16];
      std::snprintf(size, sizeof size, "%zx", chunk.size());
      wire.send(std::string(size) + "\r\n" + chunk + "\r\n");
    }
    wire.send("0\r\n\r\n");
  } catch (const Poco::Exception&) {
    // the server may stop reading once it has answered
  }
  CHECK(wire.read().status == 413);
  CHECK(agent.get("/api/v1/contact-lists").json["data"].empty());
}

TEST_CASE("hostile: a transfer coding that does not end in chunked is refused and the connection closed", "[hostile]") {
  TestHost host;
  for (const std::string& coding : std::vector<std::string>{"gzip", "xchunked", "identity", "chunked, gzip"}) {
    Wire wire(host.port());
    // Were the body framed as the next request, a second answer would come.
    wire.send("POST /api/v1/dnc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
              "\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(wire.read().status == 400);
    wire.setTimeout(3);
    CHECK(wire.closedByServer());
  }
}

TEST_CASE("hostile: static files never leave the web root, by prefix, encoding or link", "[hostile]") {
  sb::test::TempDir dir;
  const auto root = dir / "web";
  std::filesystem::create_directories(root);
  std::filesystem::create_directories(dir / "web-private");
  std::ofstream(root / "index.html") << "<!doctype html><title>page</title>";
  std::ofstream(dir / "web-private" / "secret.txt") << "TOP-SECRET-CONTENT";
  std::ofstream(dir / "webx.txt") << "TOP-SECRET-CONTENT";
  std::filesystem::create_symlink("/etc/hostname", root / "link.txt");
  std::filesystem::create_directory_symlink(dir / "web-private", root / "inside");
  TestHost host(std::map<std::string, std::string>{{"web.root", root.string()}});

  CHECK(rawRequest(host.port(), get("/ui/index.html")).status == 200);
  for (const std::string& target :
       std::vector<std::string>{"/ui/../web-private/secret.txt", "/ui/%2e%2e/web-private/secret.txt",
                                "/ui/%2e%2e/webx.txt", "/ui/../webx.txt", "/ui/link.txt", "/ui/inside/secret.txt",
                                "/ui/%2e%2e%2fwebx.txt", "/ui/..%5cwebx.txt", "/ui/%00"}) {
    const auto answer = rawRequest(host.port(), get(target));
    INFO(target);
    CHECK((answer.status == 404 || answer.status == 400));
    CHECK(answer.body.find("TOP-SECRET") == std::string::npos);
  }
}

TEST_CASE("hostile: one client cannot hold every connection or every event stream", "[hostile]") {
  TestHost host({{"http.max_connections_per_client", "4"}, {"sse.max_clients_per_key", "2"}});
  SECTION("connections") {
    std::vector<std::unique_ptr<Wire>> held;
    for (int i = 0; i < 4; ++i) {
      held.push_back(std::make_unique<Wire>(host.port()));
      held.back()->send(get("/health"));
      CHECK(held.back()->read().status == 200);
    }
    Wire fifth(host.port());
    fifth.setTimeout(3);
    CHECK(fifth.closedByServer());
    held.pop_back();
    CHECK(sb::test::eventually([&] {
      try {
        return httpCall(host.port(), "GET", "/health").status == 200;
      } catch (const std::exception&) {
        return false;  // closed at once while the server still counts the old one
      }
    }));
  }
  SECTION("event streams") {
    sb::test::EventStreamClient first(host.port(), host.agentKey);
    sb::test::EventStreamClient second(host.port(), host.agentKey);
    sb::test::EventStreamClient third(host.port(), host.agentKey);
    std::multiset<int> statuses{first.status(), second.status(), third.status()};
    CHECK(statuses == std::multiset<int>{200, 200, 429});
    sb::test::EventStreamClient other(host.port(), host.adminKey);
    CHECK(other.status() == 200);
  }
}

TEST_CASE("hostile: guessing keys from one address is slowed - a missing key is not a guess", "[hostile]") {
  TestHost host({{"auth.key_cache_ms", "0"}, {"auth.failures_per_minute", "5"}});
  for (int i = 0; i < 10; ++i) {
    CHECK(httpCall(host.port(), "GET", "/api/v1/me").status == 401);  // no key: no guess
  }
  int unauthorized = 0;
  int limited = 0;
  std::string retryAfter;
  for (int i = 0; i < 8; ++i) {
    const auto reply = httpCall(host.port(), "GET", "/api/v1/me", {{"X-API-Key", "sbk_guess" + std::to_string(i)}});
    unauthorized += reply.status == 401;
    if (reply.status == 429) {
      ++limited;
      retryAfter = reply.header("Retry-After").value_or("");
    }
  }
  CHECK(unauthorized == 5);
  CHECK(limited == 3);
  CHECK_FALSE(retryAfter.empty());
}

TEST_CASE("hostile: the calls export says how much it holds and whether it stopped short", "[hostile]") {
  TestHost host;
  ApiClient admin(host.port(), host.adminKey);
  REQUIRE(admin.post("/api/v1/calls", {{"to", "+12125550190"}}).status == 201);
  const auto exported = admin.get("/api/v1/calls/export");
  CHECK(exported.status == 200);
  CHECK(exported.header("X-Export-Rows") == "1");
  CHECK(exported.header("X-Export-Total") == "1");
  CHECK(exported.header("X-Export-Truncated") == "false");
}

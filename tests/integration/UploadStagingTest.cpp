// An upload is read whole into a spool file before its import writes to the
// database: while a client is slow to send (here, stops half-way), calls are
// placed and their webhooks stored as usual, no partial list shows, and the
// list then arrives whole. Before, the import's write transaction began
// after the header and held every call write until it timed out.
#include "support/ApiClient.h"
#include "support/CallProbe.h"
#include "support/TestHost.h"
#include "support/Wire.h"

#include <catch2/catch.hpp>

#include <thread>

using sb::test::ApiClient;
using sb::test::TestHost;
using sb::test::Wire;

TEST_CASE("import: a stalled upload holds no lock - calls go on and the list then arrives whole",
          "[contacts][import]") {
  // A generous body timeout: the client below pauses on purpose.
  TestHost host({{"http.body_grace_s", "60"}, {"http.body_min_bytes_per_s", "1"}});
  ApiClient agent(host.port(), host.agentKey);

  // Larger than the reader's first block (64 KiB), so the import would be
  // well under way, with its transaction open, when the client stops.
  constexpr int kRows = 20000;
  std::string csv = "name,company,phone\n";
  for (int i = 0; i < kRows; ++i) {
    const char* area = i < 9000 ? "212" : i < 18000 ? "213" : "310";
    csv += "Contact " + std::to_string(i) + ",Example Co,+1" + area + "555" + std::to_string(1000 + i % 9000) + "\n";
  }
  const size_t half = csv.size() / 2;
  Wire upload(host.port());
  upload.send("POST /api/v1/contact-lists?name=stalled HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nX-API-Key: " +
              host.agentKey + "\r\nContent-Length: " + std::to_string(csv.size()) + "\r\n\r\n" + csv.substr(0, half));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // admitted and reading

  // The upload is stalled half-way: a dial and its provider's webhooks are
  // written (they failed with "database is locked" after 5 s before).
  const auto placed = agent.post("/api/v1/calls", {{"to", "+12125550001"}});
  REQUIRE(placed.status == 201);
  const std::string id = placed.json["id"];
  sb::test::CallProbe probe(agent);
  CHECK(probe.reaches(id, [](const nlohmann::json& c) { return c["status"] == "in-progress"; }));
  CHECK(agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);
  // Nothing of the list shows while it is arriving.
  CHECK(agent.get("/api/v1/contact-lists").json["data"].empty());

  upload.send(csv.substr(half));
  const auto done = upload.read();
  REQUIRE(done.status == 201);
  const auto list = nlohmann::json::parse(done.body)["list"];
  CHECK(list["imported"] == kRows);
  CHECK(agent.get("/api/v1/contact-lists").json["data"].size() == 1);
}

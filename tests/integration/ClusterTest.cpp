// Several hosts on one PostgreSQL database (issue 16, product §6): any
// request may reach any host. The sim provider delivers its webhooks to the
// host that placed the call, so what host B sees of a call placed on host A
// came through the database.
#include "support/ApiClient.h"
#include "support/TestDatabase.h"
#include "support/TestHost.h"
#include "unit/calls/CallEventScripts.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/calls/SqliteCallRepository.h>

#include <catch2/catch.hpp>

#include <algorithm>

using sb::test::ApiClient;
using sb::test::EventStreamClient;

namespace {

std::map<std::string, std::string> config(const std::string& sharedDatabase = "") {
  std::map<std::string, std::string> values = {
      {"provider.sim.ring_after_ms", "10"},
      {"provider.sim.answer_after_ms", "20"},
      {"provider.sim.agent_join_after_ms", "10"},
      {"sse.heartbeat_ms", "100"},
  };
  if (!sharedDatabase.empty()) values["database.url"] = sharedDatabase;
  return values;
}

sb::test::ApiReply dial(const ApiClient& client, const std::string& to, const std::string& agent) {
  return client.post("/api/v1/calls", {{"to", to}, {"agent_id", agent}});
}

}  // namespace

TEST_CASE("two hosts: webhooks received by one reach the event streams of the other, in order", "[cluster][pg-only]") {
  sb::test::TestHost a(config());
  sb::test::TestHost b(config(a.databaseTarget()));
  EventStreamClient onB(b.port(), b.adminKey);
  EventStreamClient onA(a.port(), a.adminKey);
  REQUIRE(onB.status() == 200);
  REQUIRE(onA.status() == 200);

  const auto placed = dial(ApiClient(a.port(), a.adminKey), "+15551230001", "rep-a");
  REQUIRE(placed.status == 201);
  const std::string id = placed.json["id"];
  REQUIRE(onB.waitFor(id, "leg.answered"));
  REQUIRE(onA.waitFor(id, "leg.answered"));

  // Host B's stream carries the same events as host A's, in sequence order,
  // each once.
  auto seqs = [&](const EventStreamClient& stream) {
    std::vector<int64_t> out;
    for (const auto& frame : stream.frames()) {
      if (frame.data["call"]["id"] == id) out.push_back(std::stoll(frame.id));
    }
    return out;
  };
  const auto onBSeqs = seqs(onB);
  CHECK(std::is_sorted(onBSeqs.begin(), onBSeqs.end()));
  CHECK(std::adjacent_find(onBSeqs.begin(), onBSeqs.end()) == onBSeqs.end());
  const auto onASeqs = seqs(onA);
  const std::vector<int64_t> common(onASeqs.begin(), onASeqs.begin() + std::min(onASeqs.size(), onBSeqs.size()));
  CHECK(std::vector<int64_t>(onBSeqs.begin(), onBSeqs.begin() + common.size()) == common);

  // A client that resumes on the other host (Last-Event-ID) gets what came
  // after its last event, from the database.
  REQUIRE(onBSeqs.size() >= 2);
  EventStreamClient resumed(a.port(), a.adminKey, "", std::to_string(onBSeqs.front()));
  REQUIRE(resumed.waitFor(id, "leg.answered"));
  const auto replayed = seqs(resumed);
  REQUIRE_FALSE(replayed.empty());
  CHECK(replayed.front() == onBSeqs[1]);
}

TEST_CASE("two hosts: the rules that span hosts are the database's own constraints", "[cluster][pg-only]") {
  // Two writers on one database, as two hosts' journals are: neither knows
  // what the other holds in memory.
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "unused");
  sb::core::Database databaseA(target.target());
  sb::core::Database databaseB(target.target());
  databaseA.migrate();
  sb::core::SqliteCallRepository a(databaseA);
  sb::core::SqliteCallRepository b(databaseB);

  // One active call per named agent.
  a.transact([&] { a.insert(sb::test::callRecord("call-a", "rep-1")); });
  try {
    b.transact([&] { b.insert(sb::test::callRecord("call-b", "rep-1")); });
    FAIL("a second active call for rep-1");
  } catch (const sb::core::DomainError& e) {
    CHECK(e.kind() == sb::core::DomainError::Kind::AgentBusy);
  }

  // One stored copy of each provider event, whichever host received it; and
  // sequence numbers that both hosts read in commit order.
  sb::core::StoredEvent event;
  event.callId = "call-a";
  event.source = "sim";
  event.eventKey = "evt-1";
  event.type = "leg.ringing";
  event.occurredAt = 1;
  event.receivedAt = 1;
  event.payload = nlohmann::json::object();
  int64_t first = 0;
  int64_t again = 0;
  a.transact([&] { first = a.appendEvent(event); });
  b.transact([&] { again = b.appendEvent(event); });
  CHECK(first > 0);
  CHECK(again == 0);
  CHECK(b.lastEventSeq() == first);
}

TEST_CASE("a host outlives its database connections being cut (a PostgreSQL restart)", "[cluster][pg-only]") {
  sb::test::TestHost host(config());
  EventStreamClient stream(host.port(), host.adminKey);
  REQUIRE(stream.status() == 200);
  const ApiClient admin(host.port(), host.adminKey);
  REQUIRE(dial(admin, "+15551230001", "rep-1").status == 201);

  // The server ends every connection to the host's database (what a
  // restart does to them).
  const std::string url = host.databaseTarget();
  const std::string name = url.substr(url.rfind('/') + 1);
  sb::test::adminExec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");

  // At most the request that meets the break fails; the host connects
  // again and carries on, live events included.
  const auto ready = sb::test::eventually([&] { return admin.get("/ready").status == 200; });
  CHECK(ready);
  std::string id;
  for (int attempt = 0; attempt < 2 && id.empty(); ++attempt) {
    const auto placed = dial(admin, "+15551230002", "rep-2");
    if (placed.status == 201) id = placed.json["id"];
  }
  REQUIRE_FALSE(id.empty());
  CHECK(stream.waitFor(id, "leg.answered"));
}

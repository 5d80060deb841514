// Several hosts on one PostgreSQL database (issue 16, product §6): any
// request may reach any host. The sim provider delivers its webhooks to the
// host that placed the call, so what host B sees of a call placed on host A
// came through the database; what a plugin on B knows of it came through the
// host's shared state (sb.state.v1).
#include "storage/Connections.h"
#include "support/ApiClient.h"
#include "support/CallProbe.h"
#include "support/Processes.h"
#include "support/ProviderWorld.h"
#include "support/TestDatabase.h"
#include "support/TestHost.h"
#include "support/fakes/FakeTelnyx.h"
#include "unit/calls/CallEventScripts.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/calls/SqliteCallRepository.h>
#include <switchboard/core/storage/Database.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <thread>

#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

using sb::test::ApiClient;
using sb::test::EventStreamClient;

using sb::test::freePort;

namespace {

std::map<std::string, std::string> clusterConfig(const std::string& sharedDatabase = "") {
  std::map<std::string, std::string> values = {
      {"provider.sim.ring_after_ms", "10"},
      {"provider.sim.answer_after_ms", "20"},
      {"provider.sim.agent_join_after_ms", "10"},
      {"sse.heartbeat_ms", "100"},
  };
  if (!sharedDatabase.empty()) values["database.url"] = sharedDatabase;
  return values;
}

sb::test::ApiReply postCall(const ApiClient& client, const std::string& to, const std::string& agent) {
  return client.post("/api/v1/calls", {{"to", to}, {"agent_id", agent}});
}

}  // namespace

TEST_CASE("two hosts: webhooks received by one reach the event streams of the other, in order", "[cluster][pg-only]") {
  sb::test::TestHost a(clusterConfig());
  sb::test::TestHost b(clusterConfig(a.databaseTarget()));
  EventStreamClient onB(b.port(), b.adminKey);
  EventStreamClient onA(a.port(), a.adminKey);
  REQUIRE(onB.status() == 200);
  REQUIRE(onA.status() == 200);

  const auto placed = postCall(ApiClient(a.port(), a.adminKey), "+15551230001", "rep-a");
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
  sb::test::TestHost host(clusterConfig());
  EventStreamClient stream(host.port(), host.adminKey);
  REQUIRE(stream.status() == 200);
  const ApiClient admin(host.port(), host.adminKey);
  REQUIRE(postCall(admin, "+15551230001", "rep-1").status == 201);

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
    const auto placed = postCall(admin, "+15551230002", "rep-2");
    if (placed.status == 201) id = placed.json["id"];
  }
  REQUIRE_FALSE(id.empty());
  CHECK(stream.waitFor(id, "leg.answered"));
}

TEST_CASE("two hosts (sim): a call placed on A is joined on B, muted on A, ended on B, its agent busy on both",
          "[cluster][pg-only]") {
  sb::test::TestHost a(clusterConfig());
  sb::test::TestHost b(clusterConfig(a.databaseTarget()));
  // A key made on one host works on every host: keys live in the database.
  const ApiClient agentOnA(a.port(), a.agentKey);
  const ApiClient agentOnB(b.port(), a.agentKey);
  const sb::test::CallProbe probeA(agentOnA);
  const sb::test::CallProbe probeB(agentOnB);

  const std::string id = probeA.dial("+15551230001");
  REQUIRE(probeB.reaches(id, [](const nlohmann::json& c) { return c["status"] == "in-progress"; }));
  // The sim on B has never seen the call: it reads it from the shared state.
  const auto joined = agentOnB.post("/api/v1/calls/" + id + "/join", nlohmann::json::object());
  INFO(joined.body);
  REQUIRE(joined.status == 200);
  REQUIRE(probeA.reaches(id, [](const nlohmann::json& c) { return c["legs"]["agent"]["state"] == "connected"; }));
  const auto muted = agentOnA.post("/api/v1/calls/" + id + "/mute", {{"muted", true}});
  INFO(muted.body);
  REQUIRE(muted.status == 200);
  CHECK(muted.json["legs"]["agent"]["muted"] == true);

  // The agent is busy on B too: B asks its sim whether the call is still
  // live, and the sim knows it from the shared state (it used to say "not
  // found", and B closed A's live call and placed a second one).
  const auto second = agentOnB.post("/api/v1/calls", {{"to", "+15551230002"}});
  INFO(second.body);
  CHECK(second.status == 409);
  CHECK(second.json["error"]["code"] == "AGENT_BUSY");
  CHECK(probeA.call(id)["status"] == "in-progress");

  const auto ended = agentOnB.post("/api/v1/calls/" + id + "/end", nlohmann::json::object());
  INFO(ended.body);
  REQUIRE(ended.status == 200);
  CHECK(ended.json["already_ended"] == false);
  REQUIRE(probeA.reaches(id, sb::test::CallProbe::bridgeOver));
  CHECK(agentOnB.post("/api/v1/calls", {{"to", "+15551230002"}}).status == 201);
}

TEST_CASE("two hosts (Telnyx): the browser leg answered on host B joins the conference host A made",
          "[cluster][pg-only]") {
  sb::test::FakeTelnyxOptions options;
  options.outcomes = sb::test::CallProbe::loopOutcomes();
  sb::test::FakeTelnyx fake(options);
  sb::test::TestHost a(sb::test::hostConfigFor(fake));
  sb::test::TestHost b(sb::test::hostConfigFor(fake, {{"database.url", a.databaseTarget()}}));
  // The contact's webhooks reach host A, the browser's host B: what a load
  // balancer may do with any two requests.
  fake.setWebhookUrls("http://127.0.0.1:" + std::to_string(a.port()) + "/webhooks/telnyx/events",
                      "http://127.0.0.1:" + std::to_string(b.port()) + "/webhooks/telnyx/events");
  const ApiClient agentOnA(a.port(), a.agentKey);
  const ApiClient agentOnB(b.port(), a.agentKey);
  const sb::test::CallProbe probe(agentOnA);

  const std::string id = probe.dial("+12125550001");
  REQUIRE(probe.reaches(id, [](const nlohmann::json& c) { return c["conference_id"].is_string(); }));
  const auto joined = agentOnB.post("/api/v1/calls/" + id + "/join", nlohmann::json::object());
  INFO(joined.body);
  REQUIRE(joined.status == 200);
  const auto credential = joined.json["credential"];
  const auto leg =
      fake.connectBrowser(credential["token"], credential["sdk"]["client_state"], credential["sdk"]["destination"]);
  REQUIRE(leg.error.empty());
  REQUIRE(probe.reaches(id, [](const nlohmann::json& c) {
    return c["status"] == "in-progress" && c["legs"]["agent"]["state"] == "connected";
  }));
  // One conference with both legs in it, not a second one made on B.
  const std::string name = probe.call(id)["conference_name"];
  REQUIRE(fake.waitUntil([&] { return fake.participantsOf(name) == 2; }));
  CHECK(fake.conferencesNamed(name) == 1);

  const auto muted = agentOnB.post("/api/v1/calls/" + id + "/mute", {{"muted", true}});
  REQUIRE(muted.status == 200);
  CHECK(fake.participantMuted(name, leg.callControlId));
  REQUIRE(agentOnA.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);
  REQUIRE(fake.waitUntil([&] { return fake.conferenceStatus(name) == "completed"; }));
  for (const auto& violation : fake.violations()) UNSCOPED_INFO("fake Telnyx: " << violation);
  CHECK(fake.violations().empty());
}

namespace {

/// `switchboard serve` in a process of its own on a shared database, so
/// that the test can kill -9 it.
class HostProcess {
 public:
  HostProcess(const sb::test::TempDir& dir, const std::string& databaseUrl)
      : port_(freePort()),
        env_("SWITCHBOARD_DATABASE_URL=" + databaseUrl + " SWITCHBOARD_HTTP_PORT=" + std::to_string(port_) +
             " SWITCHBOARD_HTTP_LOG_REQUESTS=false SWITCHBOARD_LOG_FILE=" + (dir / "a.log").string() +
             " SWITCHBOARD_CALLS_AGENT_JOIN_TIMEOUT_S=2 SWITCHBOARD_PROVIDER_SIM_RING_AFTER_MS=10"
             " SWITCHBOARD_PROVIDER_SIM_ANSWER_AFTER_MS=20") {
    const std::string keyCommand = "env " + env_ + " " + SB_SWITCHBOARD_BIN + " keys create --name rep-a --quiet";
    FILE* pipe = ::popen(keyCommand.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[256] = {};
    REQUIRE(std::fgets(buffer, sizeof buffer, pipe) != nullptr);
    ::pclose(pipe);
    key = buffer;
    key.erase(key.find_last_not_of(" \n") + 1);
    const std::string script = "exec env " + env_ + " " + SB_SWITCHBOARD_BIN + " serve";
    const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
    REQUIRE(::posix_spawn(&pid_, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
    REQUIRE(sb::test::eventually(
        [this] {
          try {
            return ApiClient(port_, key).get("/ready").status == 200;
          } catch (const std::exception&) {
            return false;
          }
        },
        std::chrono::seconds(20)));
  }
  ~HostProcess() { killHard(); }

  void killHard() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = 0;
    }
  }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string key;

 private:
  uint16_t port_;
  std::string env_;
  pid_t pid_ = 0;
};

std::string sweepHolder(sb::core::Database& database) {
  return database.connections().withSession([](Poco::Data::Session& session) {
    std::vector<std::string> holders;
    session << "SELECT holder FROM leases WHERE name = 'abandoned-call-sweep'", Poco::Data::Keywords::into(holders),
        Poco::Data::Keywords::now;
    return holders.empty() ? std::string() : holders.front();
  });
}

}  // namespace

TEST_CASE("two hosts: kill -9 the host that runs the sweep mid-call, and the other ends its abandoned call",
          "[cluster][pg-only]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "cluster");
  sb::core::Database database(target.target());
  database.migrate();

  HostProcess a(dir, target.target());
  // Host A holds the sweep's lease (it is alone so far).
  const std::string mine = ":" + std::to_string(a.pid()) + ":";
  REQUIRE(sb::test::eventually([&] { return sweepHolder(database).find(mine) != std::string::npos; },
                               std::chrono::seconds(10)));
  const ApiClient onA(a.port(), a.key);
  const auto placed = onA.post("/api/v1/calls", {{"to", "+15551230001"}});
  INFO(placed.body);
  REQUIRE(placed.status == 201);
  const std::string id = placed.json["id"];
  REQUIRE(sb::test::eventually([&] { return onA.get("/api/v1/calls/" + id).json["status"] == "in-progress"; }));

  sb::test::TestHost b({{"database.url", target.target()}, {"calls.agent_join_timeout_s", "2"}});
  CHECK(sweepHolder(database).find(mine) != std::string::npos);  // B waits its turn
  // No agent joins; host A dies before its sweep ends the call.
  a.killHard();

  // Host B takes the lease once it lapses (5 s) and ends the call as
  // abandoned: the contact is not left on the line by a dead host.
  const ApiClient onB(b.port(), b.adminKey);
  const bool abandoned = sb::test::eventually(
      [&] {
        const auto call = onB.get("/api/v1/calls/" + id).json;
        return call["status"] == "completed" && call["result"] == "abandoned";
      },
      std::chrono::seconds(20));
  INFO(onB.get("/api/v1/calls/" + id).body);
  CHECK(abandoned);
  CHECK(sweepHolder(database).find(mine) == std::string::npos);
}

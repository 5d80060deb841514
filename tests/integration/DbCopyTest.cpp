// `switchboard db copy --to URL` (issue 16): a team's SQLite database, with
// lists, contacts, calls and their timelines, the do-not-call list and keys,
// moved to PostgreSQL: the same rows, the same answers from the API, and new
// rows after it that do not collide with the copied ones.
#include "support/ApiClient.h"
#include "support/CallProbe.h"
#include "support/Processes.h"
#include "support/TestDatabase.h"
#include "support/TestHost.h"

#include <catch2/catch.hpp>

#include <cstdio>

using sb::test::ApiClient;

namespace {

using sb::test::Run;
using sb::test::runSwitchboard;

/// What the API says about everything the copy carries.
nlohmann::json answers(const ApiClient& admin) {
  nlohmann::json out;
  for (const char* path : {"/api/v1/calls?limit=100", "/api/v1/contact-lists", "/api/v1/contacts?limit=100",
                           "/api/v1/dnc", "/api/v1/stats"}) {
    const auto reply = admin.get(path);
    INFO(path << " " << reply.body);
    REQUIRE(reply.status == 200);
    out[path] = reply.json;
  }
  return out;
}

const std::map<std::string, std::string> kSim = {{"provider.sim.ring_after_ms", "10"},
                                                 {"provider.sim.answer_after_ms", "20"},
                                                 {"provider.sim.agent_join_after_ms", "10"},
                                                 {"ratelimit.default_per_minute", "100000"}};

std::map<std::string, std::string> on(const std::string& database) {
  auto values = kSim;
  values["database.url"] = database;
  return values;
}

}  // namespace

TEST_CASE("db copy: a SQLite database moved to PostgreSQL gives the same rows and the same answers",
          "[db-copy][pg-only]") {
  sb::test::TempDir dir;
  const std::string sqlite = "sqlite:" + (dir / "team.db").string();
  sb::test::TestDatabase postgres(dir, "copy");

  nlohmann::json before;
  std::string adminKey;
  std::string agentKey;
  {
    sb::test::TestHost team(on(sqlite));
    adminKey = team.adminKey;
    agentKey = team.agentKey;
    const ApiClient admin(team.port(), team.adminKey);
    const ApiClient agent(team.port(), team.agentKey);
    const auto list = agent.sendRaw("POST", "/api/v1/contact-lists?name=Leads",
                                    "name,company,phone\nAda Lovelace,Analytical,+12125550101\n"
                                    "Grace Hopper,Navy,+12125550102\nAlan Turing,Bletchley,+12125550103\n",
                                    "text/csv");
    INFO(list.body);
    REQUIRE(list.status == 201);
    const sb::test::CallProbe probe(agent);
    for (const char* to : {"+12125550101", "+12125550102"}) {
      const std::string id = probe.dial(to);
      REQUIRE(probe.reaches(id, [](const nlohmann::json& c) { return c["status"] == "in-progress"; }));
      REQUIRE(agent.post("/api/v1/calls/" + id + "/join", nlohmann::json::object()).status == 200);
      REQUIRE(probe.reaches(id, [](const nlohmann::json& c) { return c["legs"]["agent"]["state"] == "connected"; }));
      REQUIRE(agent.post("/api/v1/calls/" + id + "/end", nlohmann::json::object()).status == 200);
      REQUIRE(probe.reaches(id, sb::test::CallProbe::bridgeOver));
      REQUIRE(agent.patch("/api/v1/calls/" + id, {{"outcome", "meeting_booked"}, {"notes", "café ✓"}}).status == 200);
    }
    REQUIRE(admin.post("/api/v1/dnc", {{"phone", "+12125550199"}, {"reason", "asked"}}).status == 201);
    before = answers(admin);
  }  // the team's host stops

  // A person who signs in, with a role and a hashed password.
  REQUIRE(runSwitchboard("users create --set database.url=" + sqlite +
                         " --email Lead@Example.com --name Lead --role supervisor --generate-password")
              .exitCode == 0);

  const Run copy = runSwitchboard("db copy --set database.url=" + sqlite + " --to " + postgres.target());
  INFO(copy.output);
  REQUIRE(copy.exitCode == 0);
  CHECK_THAT(copy.output, Catch::Contains("contacts") && Catch::Contains("call_events"));
  CHECK(copy.output.find("password") == std::string::npos);

  const auto people =
      nlohmann::json::parse(runSwitchboard("users list --json --set database.url=" + postgres.target()).output);
  REQUIRE(people.size() == 1);
  CHECK(people[0]["email"] == "Lead@Example.com");
  CHECK(people[0]["role"] == "supervisor");

  sb::test::TestHost moved(on(postgres.target()));
  // The keys came along: the team signs in as before.
  const ApiClient admin(moved.port(), adminKey);
  const ApiClient agent(moved.port(), agentKey);
  const nlohmann::json after = answers(admin);
  for (const auto& [path, reply] : before.items()) {
    INFO(path);
    CHECK(after[path] == reply);
  }
  // New rows get ids past the copied ones.
  const auto list = agent.sendRaw("POST", "/api/v1/contact-lists?name=More",
                                  "name,company,phone\nKatherine Johnson,NASA,+12125550104\n", "text/csv");
  INFO(list.body);
  REQUIRE(list.status == 201);
  const std::string id = sb::test::CallProbe(agent).dial("+12125550104");
  CHECK(sb::test::CallProbe(agent).reaches(id, [](const nlohmann::json& c) { return c["status"] == "in-progress"; }));

  // A second copy into a database that holds rows is refused, naming why.
  const Run again = runSwitchboard("db copy --set database.url=" + sqlite + " --to " + postgres.target());
  CHECK(again.exitCode == 1);
  CHECK_THAT(again.output, Catch::Contains("copy into an empty database"));
  // And the usage is checked.
  CHECK(runSwitchboard("db copy").exitCode == 2);
  CHECK(runSwitchboard("db move --to " + postgres.target()).exitCode == 2);
}

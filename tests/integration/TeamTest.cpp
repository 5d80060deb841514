// The team (issue 18, items 4, 5 and 7): an agent sees its own calls and
// nobody else's; a supervisor sees everyone's and the board of every
// agent's state now; an admin manages people over the API, each change
// audited.
#include "support/ApiClient.h"
#include "support/HttpCall.h"
#include "support/SignIn.h"
#include "support/TestHost.h"

#include <switchboard/core/text/Time.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using sb::test::ApiClient;
using sb::test::eventually;
namespace sdk = sb::sdk;

namespace {

/// A person signed in: requests with their cookie and the page's Origin.
class Person {
 public:
  Person(uint16_t port, const std::string& email, const std::string& password = sb::test::kPassword) : port_(port) {
    const auto signedIn = sb::test::signIn(port, email, password);
    status = signedIn.status;
    cookie_ = signedIn.cookie;
  }
  sb::test::ApiReply send(const std::string& method, const std::string& target,
                          const nlohmann::json& body = nullptr) const {
    sdk::Headers headers = {{"Cookie", cookie_}, {"Origin", "http://127.0.0.1:" + std::to_string(port_)}};
    if (!body.is_null()) headers.emplace_back("Content-Type", "application/json");
    const auto raw = sb::test::httpCall(port_, method, target, headers, body.is_null() ? "" : body.dump());
    sb::test::ApiReply reply;
    reply.status = raw.status;
    reply.body = raw.body;
    reply.json = nlohmann::json::parse(raw.body, nullptr, false);
    reply.raw = raw;
    return reply;
  }
  sb::test::ApiReply get(const std::string& target) const { return send("GET", target); }
  int status = 0;

 private:
  uint16_t port_;
  std::string cookie_;
};

nlohmann::json boardRow(const nlohmann::json& board, const std::string& agentId) {
  for (const auto& row : board["agents"]) {
    if (row["agent_id"] == agentId) return row;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("team: an agent sees its own calls only, a supervisor sees everyone's and changes nothing", "[team]") {
  // Calls that ring and are never answered: they stay live while checked.
  sb::test::TestHost host({{"provider.sim.ring_after_ms", "20"}, {"provider.sim.answer_after_ms", "600000"}});
  ApiClient mine(host.port(), host.agentKey);
  ApiClient other(host.port(), host.context().apiKeys().create("rep-b", sb::core::Role::Agent).key);
  host.context().users().create({"lead@example.com", "Lead", sb::core::Role::Supervisor, sb::test::kPassword});

  const auto a = mine.post("/api/v1/calls", {{"to", "+12125550101"}});
  const auto b = other.post("/api/v1/calls", {{"to", "+12125550102"}});
  REQUIRE(a.status == 201);
  REQUIRE(b.status == 201);
  const std::string theirs = b.json["id"];

  SECTION("an agent") {
    // Another agent's call is not there, whichever way it is asked for.
    CHECK(mine.get("/api/v1/calls/" + theirs).status == 404);
    CHECK(mine.get("/api/v1/cold-call/status/" + theirs).status == 404);
    CHECK(mine.post("/api/v1/calls/" + theirs + "/end", nlohmann::json::object()).status == 404);
    CHECK(mine.patch("/api/v1/calls/" + theirs, {{"notes", "mine now"}}).status == 404);
    const auto list = mine.get("/api/v1/calls");
    REQUIRE(list.status == 200);
    CHECK(list.json["total"] == 1);
    CHECK(list.json["data"][0]["agent_id"] == "agent");
    CHECK(mine.get("/api/v1/calls/active").json["data"].size() == 1);
    CHECK(mine.get("/api/v1/stats").json["totals"]["calls"] == 1);
    CHECK(mine.get("/api/v1/calls/export").body.find("+12125550102") == std::string::npos);
    // Naming another agent is refused, not quietly answered with one's own.
    for (const std::string target : {"/api/v1/calls?agent_id=rep-b", "/api/v1/calls/active?agent_id=rep-b",
                                     "/api/v1/stats?agent_id=rep-b", "/api/v1/calls/export?agent_id=rep-b"}) {
      INFO(target);
      const auto refused = mine.get(target);
      CHECK(refused.status == 403);
      CHECK(refused.json["error"]["code"] == "FORBIDDEN");
    }
    CHECK(mine.get("/api/v1/calls?agent_id=agent").status == 200);
    sb::test::EventStreamClient stream(host.port(), host.agentKey, "?agent_id=rep-b");
    CHECK(eventually([&] { return stream.status() != 0; }));
    CHECK(stream.status() == 403);
    CHECK(mine.get("/api/v1/agents/now").status == 403);
  }

  SECTION("a supervisor") {
    Person lead(host.port(), "lead@example.com");
    REQUIRE(lead.status == 200);
    CHECK(lead.get("/api/v1/calls/" + theirs).status == 200);
    CHECK(lead.get("/api/v1/cold-call/status/" + theirs).status == 200);
    CHECK(lead.get("/api/v1/calls").json["total"] == 2);
    CHECK(lead.get("/api/v1/calls?agent_id=rep-b").json["total"] == 1);
    CHECK(lead.get("/api/v1/calls/active").json["data"].size() == 2);
    CHECK(lead.get("/api/v1/stats").json["totals"]["calls"] == 2);
    CHECK(lead.get("/api/v1/agents/now").status == 200);
    // Sees, does not act: another agent's call cannot be ended or logged.
    CHECK(lead.send("POST", "/api/v1/calls/" + theirs + "/end", nlohmann::json::object()).status == 404);
    CHECK(lead.send("PATCH", "/api/v1/calls/" + theirs, {{"notes", "x"}}).status == 404);
    CHECK(lead.get("/api/v1/users").status == 403);
    CHECK(lead.get("/api/v1/audit").status == 403);
  }
}

TEST_CASE("team: the board follows an agent from idle through a call to logging and back", "[team]") {
  sb::test::TestHost host({{"provider.sim.ring_after_ms", "300"},
                           {"provider.sim.answer_after_ms", "300"},
                           {"provider.sim.agent_join_after_ms", "20"},
                           {"provider.sim.results.0103", "hangup:1.5"}});
  auto& users = host.context().users();
  users.create({"rita@example.com", "Rita Rep", sb::core::Role::Agent, sb::test::kPassword});
  users.create({"sam@example.com", "Sam Sleeps", sb::core::Role::Agent, sb::test::kPassword});
  users.create({"lead@example.com", "Lead", sb::core::Role::Supervisor, sb::test::kPassword});
  Person lead(host.port(), "lead@example.com");
  Person rita(host.port(), "rita@example.com");
  REQUIRE(lead.status == 200);
  REQUIRE(rita.status == 200);
  auto board = [&] {
    const auto reply = lead.get("/api/v1/agents/now");
    REQUIRE(reply.status == 200);
    return reply.json;
  };
  auto stateOf = [&](const std::string& agent) {
    const auto row = boardRow(board(), agent);
    return row.is_null() ? std::string("absent") : row["state"].get<std::string>();
  };

  // Every agent is on the board, idle, before anyone calls; supervisors
  // are not until they call.
  auto before = board();
  CHECK(boardRow(before, "rita@example.com")["state"] == "idle");
  CHECK(boardRow(before, "rita@example.com")["name"] == "Rita Rep");
  CHECK(boardRow(before, "rita@example.com")["kind"] == "person");
  CHECK(boardRow(before, "rita@example.com")["call"].is_null());
  CHECK(boardRow(before, "rita@example.com")["today"]["calls"] == 0);
  CHECK(boardRow(before, "lead@example.com").is_null());
  CHECK(boardRow(before, "agent").is_null());

  const auto placed = rita.send("POST", "/api/v1/calls", {{"to", "+12125550103"}});
  REQUIRE(placed.status == 201);
  const std::string id = placed.json["id"];
  const auto dialing = boardRow(board(), "rita@example.com");
  CHECK(dialing["state"] == "dialing");
  CHECK(dialing["call"]["id"] == id);
  CHECK(dialing["call"]["to"] == "+12125550103");
  CHECK_FALSE(dialing["since"].is_null());
  CHECK(eventually([&] { return stateOf("rita@example.com") == "ringing"; }));
  CHECK(eventually([&] { return stateOf("rita@example.com") == "talking"; }));
  REQUIRE(rita.send("POST", "/api/v1/calls/" + id + "/hold", {{"held", true}}).status == 200);
  CHECK(stateOf("rita@example.com") == "on_hold");
  REQUIRE(rita.send("POST", "/api/v1/calls/" + id + "/hold", {{"held", false}}).status == 200);
  CHECK(stateOf("rita@example.com") == "talking");
  // The contact hangs up: the rep is logging the call until they save it.
  CHECK(eventually([&] { return stateOf("rita@example.com") == "logging"; }));
  CHECK(boardRow(board(), "rita@example.com")["call"]["id"] == id);
  REQUIRE(rita.send("PATCH", "/api/v1/calls/" + id, {{"outcome", "meeting_booked"}, {"notes", "call back"}}).status ==
          200);
  const auto after = boardRow(board(), "rita@example.com");
  CHECK(after["state"] == "idle");
  CHECK(after["call"].is_null());
  CHECK(after["today"]["calls"] == 1);
  CHECK(after["today"]["connects"] == 1);
  CHECK(after["today"]["connect_rate"] == 1.0);
  CHECK(boardRow(board(), "sam@example.com")["state"] == "idle");

  // An API key's agent shows up once it has called, by its key's name.
  ApiClient key(host.port(), host.agentKey);
  REQUIRE(key.post("/api/v1/calls", {{"to", "+12125550104"}}).status == 201);
  const auto keyRow = boardRow(board(), "agent");
  CHECK(keyRow["kind"] == "key");
  CHECK(keyRow["state"] != "idle");

  // A live call placed before the day began (a call across midnight) still
  // shows; an ended one from before does not count today.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const std::string dayStart = std::to_string(sb::core::unixNowMs() / 1000);
  const auto later = lead.get("/api/v1/agents/now?from=" + dayStart);
  REQUIRE(later.status == 200);
  CHECK(boardRow(later.json, "agent")["state"] != "idle");
  CHECK_FALSE(boardRow(later.json, "agent")["call"].is_null());
  CHECK(boardRow(later.json, "rita@example.com")["state"] == "idle");
  CHECK(boardRow(later.json, "rita@example.com")["today"]["calls"] == 0);

  // Bad input: a day that starts in the future, or a month ago.
  CHECK(lead.get("/api/v1/agents/now?from=2099-01-01").status == 400);
  CHECK(lead.get("/api/v1/agents/now?from=2020-01-01").status == 400);
  CHECK(lead.get("/api/v1/agents/now?from=yesterday").status == 400);
}

TEST_CASE("users: an admin adds people, changes roles, disables and resets, each change audited", "[team][users]") {
  sb::test::TestHost host;
  ApiClient admin(host.port(), host.adminKey);

  const auto created = admin.post("/api/v1/users", {{"email", "New.Rep@Example.com"}, {"name", "New Rep"}});
  REQUIRE(created.status == 201);
  CHECK(created.json["user"]["role"] == "agent");
  CHECK(created.json["user"]["email"] == "New.Rep@Example.com");
  CHECK(created.header("Cache-Control") == "no-store");
  const std::string generated = created.json["password"];
  CHECK(generated.size() == 20);
  const std::string id = created.json["user"]["id"];
  Person rep(host.port(), "new.rep@example.com", generated);
  CHECK(rep.status == 200);
  CHECK(rep.get("/api/v1/users").status == 403);

  SECTION("a chosen password is taken and not echoed") {
    const auto chosen = admin.post(
        "/api/v1/users",
        {{"email", "lead@example.com"}, {"name", "Lead"}, {"role", "supervisor"}, {"password", "purple otter swims"}});
    REQUIRE(chosen.status == 201);
    CHECK_FALSE(chosen.json.contains("password"));
    CHECK(chosen.body.find("purple otter") == std::string::npos);
    CHECK(Person(host.port(), "lead@example.com", "purple otter swims").status == 200);
    CHECK(admin.get("/api/v1/users").json["data"].size() == 2);
  }

  SECTION("bad input is a clear 400 or 409 and creates nobody") {
    const std::string longEmail = std::string(300, 'a') + "@example.com";
    for (const nlohmann::json& body :
         {nlohmann::json{{"email", "NEW.REP@example.com"}, {"name", "Twin"}},
          nlohmann::json{{"email", longEmail}, {"name", "Long"}},
          nlohmann::json{{"email", "x' OR 1=1 --"}, {"name", "Sql"}},
          nlohmann::json{{"email", "ok@example.com"}, {"name", "Ok"}, {"role", "god"}},
          nlohmann::json{{"email", "ok@example.com"}, {"name", "Ok"}, {"password", "short"}},
          nlohmann::json{{"email", "ok@example.com"}, {"name", "Ok"}, {"password", "password123"}},
          nlohmann::json{{"email", "ok@example.com"}, {"name", "Ok"}, {"password", std::string(2000, 'x')}},
          nlohmann::json{{"email", "ok@example.com"}}, nlohmann::json{{"email", 7}, {"name", "Ok"}}}) {
      INFO(body.dump().substr(0, 120));
      const auto refused = admin.post("/api/v1/users", body);
      CHECK((refused.status == 400 || refused.status == 409));
      CHECK_FALSE(refused.json["error"]["message"].get<std::string>().empty());
    }
    CHECK(admin.get("/api/v1/users").json["data"].size() == 1);
  }

  SECTION("role changes and disabling take effect on the next request") {
    auto changed = admin.patch("/api/v1/users/" + id, {{"role", "supervisor"}});
    REQUIRE(changed.status == 200);
    CHECK(changed.json["user"]["role"] == "supervisor");
    CHECK(rep.get("/api/v1/agents/now").status == 200);
    CHECK(admin.patch("/api/v1/users/" + id, {{"role", "owner"}}).status == 400);
    CHECK(admin.patch("/api/v1/users/" + id, nlohmann::json::object()).status == 400);
    CHECK(admin.patch("/api/v1/users/usr_0000000000000000", {{"disabled", true}}).status == 404);
    changed = admin.patch("/api/v1/users/new.rep@example.com", {{"disabled", true}});
    REQUIRE(changed.status == 200);
    CHECK(changed.json["user"]["disabled"] == true);
    CHECK(rep.get("/api/v1/me").status == 401);
    CHECK(Person(host.port(), "new.rep@example.com", generated).status == 401);
    REQUIRE(admin.patch("/api/v1/users/" + id, {{"disabled", false}}).status == 200);
    CHECK(Person(host.port(), "new.rep@example.com", generated).status == 200);
  }

  SECTION("a reset password ends the old one and every session") {
    const auto reset = admin.post("/api/v1/users/" + id + "/password", nlohmann::json::object());
    REQUIRE(reset.status == 200);
    const std::string fresh = reset.json["password"];
    CHECK(fresh != generated);
    CHECK(rep.get("/api/v1/me").status == 401);
    CHECK(Person(host.port(), "new.rep@example.com", generated).status == 401);
    CHECK(Person(host.port(), "new.rep@example.com", fresh).status == 200);
    CHECK(admin.post("/api/v1/users/" + id + "/password", {{"password", "123"}}).status == 400);
  }

  SECTION("the last enabled admin stays an admin") {
    const auto boss = admin.post("/api/v1/users", {{"email", "boss@example.com"}, {"name", "Boss"}, {"role", "admin"}});
    REQUIRE(boss.status == 201);
    const std::string bossId = boss.json["user"]["id"];
    CHECK(admin.patch("/api/v1/users/" + bossId, {{"role", "agent"}}).status == 409);
    CHECK(admin.patch("/api/v1/users/" + bossId, {{"disabled", true}}).status == 409);
    REQUIRE(admin.patch("/api/v1/users/" + id, {{"role", "admin"}}).status == 200);
    CHECK(admin.patch("/api/v1/users/" + bossId, {{"role", "agent"}}).status == 200);
  }

  // Every change is in the audit log, by the key that made it, with no
  // password in it.
  const auto audit = admin.get("/api/v1/audit?action=user.&per_page=100");
  REQUIRE(audit.status == 200);
  CHECK(audit.json["total"].get<int64_t>() >= 1);
  for (const auto& entry : audit.json["data"]) {
    CHECK(entry["actor_name"] == "admin");
  }
  CHECK(audit.body.find(generated) == std::string::npos);
  CHECK(audit.body.find("purple otter") == std::string::npos);
  bool createdSeen = false;
  for (const auto& entry : audit.json["data"]) {
    createdSeen = createdSeen || (entry["action"] == "user.created" && entry["target"] == "New.Rep@Example.com");
  }
  CHECK(createdSeen);
}

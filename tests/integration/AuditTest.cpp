// The audit log (issue 18, item 6): sign-ins and their failures, sign-outs,
// people and keys managed from the command line and do-not-call changes are
// recorded with who, what, when and from where; only admins read it.
#include "support/ApiClient.h"
#include "support/HttpCall.h"
#include "support/Processes.h"
#include "support/SignIn.h"
#include "support/TempDir.h"
#include "support/TestHost.h"

#include <switchboard/core/audit/AuditLog.h>
#include <switchboard/core/storage/Database.h>

#include <catch2/catch.hpp>

using sb::test::kPassword;

TEST_CASE("audit: sign-ins, sign-outs and do-not-call changes are recorded - only admins read them", "[audit]") {
  sb::test::TestHost host;
  host.context().users().create({"rep@example.com", "Rep", sb::core::Role::Agent, kPassword});
  const std::string origin = "http://127.0.0.1:" + std::to_string(host.port());

  const auto signedIn = sb::test::signIn(host.port(), "Rep@Example.com");
  REQUIRE(signedIn.status == 200);
  const std::string& cookie = signedIn.cookie;
  REQUIRE(sb::test::signIn(host.port(), "rep@example.com", "tall giraffe at night").status == 401);
  REQUIRE(sb::test::signIn(host.port(), "nobody@example.com", "a guess at something").status == 401);
  REQUIRE(sb::test::httpCall(host.port(), "POST", "/api/v1/dnc",
                             {{"Cookie", cookie}, {"Origin", origin}, {"Content-Type", "application/json"}},
                             R"({"phone":"+12125550199","reason":"asked twice"})")
              .status == 201);
  REQUIRE(
      sb::test::httpCall(host.port(), "DELETE", "/api/v1/session", {{"Cookie", cookie}, {"Origin", origin}}).status ==
      204);
  const sb::test::ApiClient admin(host.port(), host.adminKey);
  REQUIRE(admin.send("DELETE", "/api/v1/dnc/+12125550199", nullptr).status == 204);

  const auto reply = admin.get("/api/v1/audit");
  REQUIRE(reply.status == 200);
  INFO(reply.json.dump(1));
  const auto& data = reply.json["data"];
  REQUIRE(data.size() == 6);
  CHECK(reply.json["total"] == 6);
  // Newest first.
  CHECK(data[0]["action"] == "dnc.removed");
  CHECK(data[0]["actor_name"] == "admin");
  CHECK(data[0]["target"] == "+12125550199");
  CHECK(data[1]["action"] == "session.sign_out");
  CHECK(data[2]["action"] == "dnc.added");
  CHECK(data[2]["actor_name"] == "rep@example.com");
  CHECK(data[2]["details"]["reason"] == "asked twice");
  CHECK(data[3]["action"] == "session.sign_in_failed");
  CHECK(data[3]["actor"] == "-");
  CHECK(data[3]["target"] == "nobody@example.com");
  CHECK(data[4]["action"] == "session.sign_in_failed");
  CHECK(data[4]["target"] == "rep@example.com");
  CHECK(data[5]["action"] == "session.sign_in");
  CHECK(data[5]["actor"].get<std::string>().rfind("usr_", 0) == 0);
  CHECK(data[5]["client"] == "127.0.0.1");
  // Never a password.
  CHECK(reply.body.find("giraffe") == std::string::npos);

  // Filters and pages.
  const auto failed = admin.get("/api/v1/audit?action=session.sign_in_failed");
  CHECK(failed.json["total"] == 2);
  CHECK(admin.get("/api/v1/audit?action=session.").json["total"] == 4);
  CHECK(admin.get("/api/v1/audit?actor=rep@example.com").json["total"] == 3);  // in, the entry, out
  const auto paged = admin.get("/api/v1/audit?per_page=2&page=3");
  CHECK(paged.json["data"].size() == 2);
  CHECK(paged.json["data"][1]["action"] == "session.sign_in");
  CHECK(admin.get("/api/v1/audit?from=2000-01-01&to=2000-01-02").json["total"] == 0);
  CHECK(admin.get("/api/v1/audit?per_page=501").status == 400);
  CHECK(admin.get("/api/v1/audit?from=yesterday").status == 400);
  // Only admins.
  CHECK(sb::test::ApiClient(host.port(), host.agentKey).get("/api/v1/audit").status == 403);
}

TEST_CASE("audit: people and keys managed from the command line are recorded with who ran it", "[audit][cli]") {
  sb::test::TempDir dir;
  const std::string db = "--set database.path=" + (dir / "audit.db").string();
  REQUIRE(sb::test::runSwitchboard("users create " + db +
                                   " --email Lead@Example.com --name Lead --role admin --generate-password")
              .exitCode == 0);
  REQUIRE(sb::test::runSwitchboard("users create " + db + " --email two@example.com --name Two --generate-password")
              .exitCode == 0);
  REQUIRE(sb::test::runSwitchboard("users set-role " + db + " two@example.com supervisor").exitCode == 0);
  REQUIRE(sb::test::runSwitchboard("users disable " + db + " two@example.com").exitCode == 0);
  REQUIRE(sb::test::runSwitchboard("users reset-password " + db + " two@example.com --generate-password").exitCode ==
          0);
  REQUIRE(sb::test::runSwitchboard("keys create " + db + " --name board --role admin --quiet").exitCode == 0);

  sb::core::Database database((dir / "audit.db").string());
  sb::core::AuditLog audit(database);
  const auto page = audit.query({});
  REQUIRE(page.total == 6);
  std::vector<std::string> actions;
  for (const auto& entry : page.items) {
    actions.push_back(entry.action);
    CHECK(entry.actor == "cli");
    CHECK(entry.actorName.rfind("switchboard ", 0) == 0);
    CHECK(entry.actorName.find("(run by ") != std::string::npos);
  }
  CHECK(actions == std::vector<std::string>{"key.created", "user.password_reset", "user.disabled", "user.role_changed",
                                            "user.created", "user.created"});
  CHECK(page.items[3].details["from"] == "agent");
  CHECK(page.items[3].details["to"] == "supervisor");
  CHECK(page.items[3].target == "two@example.com");
}

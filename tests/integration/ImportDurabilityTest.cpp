// Imports at scale through the real binary: a 60 MiB file lands whole with
// memory flat, and an import killed with SIGKILL mid-file leaves either all
// of its list or none of it.
#include "storage/Connections.h"
#include "support/Processes.h"
#include "support/TempDir.h"

#include <switchboard/core/storage/Database.h>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <thread>

using namespace std::chrono_literals;

namespace {

std::string outputOf(const std::string& command) {
  return sb::test::runCommand(command).output;
}

int64_t scalar(sb::core::Database& database, const std::string& sql) {
  return database.connections().withSession([&](Poco::Data::Session& session) {
    Poco::Int64 value = 0;
    session << sql, Poco::Data::Keywords::into(value), Poco::Data::Keywords::now;
    return static_cast<int64_t>(value);
  });
}

std::string queryText(sb::core::Database& database, const std::string& sql) {
  return database.connections().withSession([&](Poco::Data::Session& session) {
    std::string value;
    session << sql, Poco::Data::Keywords::into(value), Poco::Data::Keywords::now;
    return value;
  });
}

}  // namespace

TEST_CASE("durability: a 60 MiB file imports whole with flat memory", "[import][slow]") {
  sb::test::TempDir dir;
  const auto csv = (dir / "big.csv").string();
  outputOf(std::string(SB_GEN_CONTACTS_BIN) + " 705000 " + csv);
  REQUIRE(std::filesystem::file_size(csv) > 60u * 1024 * 1024);
  const auto output = outputOf("env SWITCHBOARD_DATABASE_PATH=" + (dir / "big.db").string() + " " + SB_SWITCHBOARD_BIN +
                               " import " + csv + " --list big --stats");
  INFO(output.substr(0, 400));
  REQUIRE(output.find("Imported ") != std::string::npos);
  sb::core::Database database((dir / "big.db").string());
  const int64_t imported = scalar(database, "SELECT imported_count FROM contact_lists");
  const int64_t skipped = scalar(database, "SELECT skipped_count FROM contact_lists");
  const int64_t duplicates = scalar(database, "SELECT duplicate_count FROM contact_lists");
  CHECK(scalar(database, "SELECT rows_total FROM contact_lists") == 705000);
  CHECK(imported + skipped + duplicates == 705000);
  CHECK(scalar(database, "SELECT COUNT(*) FROM contacts") == imported);
  CHECK(skipped > 705000 / 200);  // the generator's 1% bad rows are reported, not imported
  CHECK(skipped < 705000 / 50);
  const auto rss = output.find("peak_rss_mib=");
  REQUIRE(rss != std::string::npos);
#if defined(SB_SANITIZED_BUILD)
  // ASan's shadow memory and quarantine make RSS meaningless here; the
  // plain build holds the line.
  WARN("peak RSS under ASan: " << output.substr(rss + 13, 6) << " MiB (not checked)");
#else
  CHECK(std::stoi(output.substr(rss + 13)) < 150);
#endif
}

TEST_CASE("durability: an import killed with SIGKILL leaves all of its list or none", "[import][slow]") {
  sb::test::TempDir dir;
  const auto csv = (dir / "kill.csv").string();
  const auto db = (dir / "kill.db").string();
  outputOf(std::string(SB_GEN_CONTACTS_BIN) + " 300000 " + csv);
  for (const auto delay : {300ms, 900ms}) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::setenv("SWITCHBOARD_DATABASE_PATH", db.c_str(), 1);
      ::execl(SB_SWITCHBOARD_BIN, SB_SWITCHBOARD_BIN, "import", csv.c_str(), "--list", "killed",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    std::this_thread::sleep_for(delay);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    sb::core::Database database(db);
    database.migrate();
    // Every list in the database is complete: its contacts match its counts.
    CHECK(scalar(database,
                 "SELECT COUNT(*) FROM contact_lists l WHERE l.imported_count <> "
                 "(SELECT COUNT(*) FROM contacts c WHERE c.list_id = l.id) OR l.imported_count = 0") == 0);
    CHECK(scalar(database, "SELECT COUNT(*) FROM contacts WHERE list_id NOT IN (SELECT id FROM contact_lists)") == 0);
    CHECK(queryText(database, "PRAGMA integrity_check") == "ok");
  }
  // The database is still usable afterwards.
  const auto output = outputOf("env SWITCHBOARD_DATABASE_PATH=" + db + " " + SB_SWITCHBOARD_BIN + " import " +
                               std::string(SB_SOURCE_DIR) + "/tests/fixtures/csv/seed_fixture.csv");
  CHECK(output.find("Imported 5 contact(s)") != std::string::npos);
}

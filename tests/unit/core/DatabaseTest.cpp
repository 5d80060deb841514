#include "storage/Connections.h"
#include "support/TempDir.h"
#include "support/TestDatabase.h"

#include <Poco/Data/DataException.h>
#include <Poco/Data/Statement.h>
#include <switchboard/core/storage/Database.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <thread>

TEST_CASE("migrations apply once, in order, and are recorded", "[storage]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "db/switchboard.db");
  sb::core::Database database(target.target());
  CHECK(database.isPostgresql() == sb::test::onPostgresql());
  const auto& migrations = sb::core::builtInMigrations(database.backend());
  const int applied = database.migrate();
  CHECK(applied == static_cast<int>(migrations.size()));
  CHECK(database.schemaVersion() == migrations.back().version);
  CHECK(database.migrate() == 0);
  sb::core::Database reopened(target.target());
  CHECK(reopened.migrate() == 0);
}

TEST_CASE("both backends have the same migrations, version by version", "[storage][no-db]") {
  const auto& sqlite = sb::core::builtInMigrations(sb::core::DatabaseBackend::Sqlite);
  const auto& postgresql = sb::core::builtInMigrations(sb::core::DatabaseBackend::Postgresql);
  REQUIRE(sqlite.size() == postgresql.size());
  for (size_t i = 0; i < sqlite.size(); ++i) {
    CHECK(sqlite[i].version == postgresql[i].version);
    CHECK(sqlite[i].name == postgresql[i].name);
    CHECK_FALSE(postgresql[i].sql.empty());
  }
}

TEST_CASE("hosts that start together on one PostgreSQL database migrate it once", "[storage][pg-only]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "unused");
  std::vector<int> applied(4, -1);
  std::vector<std::string> errors(applied.size());
  std::vector<std::thread> hosts;
  for (size_t i = 0; i < applied.size(); ++i) {
    hosts.emplace_back([&, i] {
      try {
        sb::core::Database database(target.target());
        applied[i] = database.migrate();
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& host : hosts) host.join();
  int total = 0;
  for (size_t i = 0; i < applied.size(); ++i) {
    INFO("host " << i << ": " << errors[i]);
    CHECK(errors[i].empty());
    total += applied[i];
  }
  CHECK(total == static_cast<int>(sb::core::builtInMigrations(sb::core::DatabaseBackend::Postgresql).size()));
}

TEST_CASE("a PostgreSQL URL: read by libpq, its password never shown", "[storage][no-db]") {
  // Nothing listens on port 1: the connection fails, and the error names
  // the database without the password.
  try {
    sb::core::Database database("postgresql://rep:hunter2@127.0.0.1:1/team?connect_timeout=2");
    FAIL("connected to nothing");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    CHECK(message.find("postgresql://rep:***@127.0.0.1:1/team") != std::string::npos);
    CHECK(message.find("hunter2") == std::string::npos);
  }
  CHECK_THROWS_WITH(
      sb::core::Database("postgresql://rep@127.0.0.1:1/team?nonsense=1"),
      Catch::Matchers::Contains("not a PostgreSQL URL libpq can read") && Catch::Matchers::Contains("nonsense"));
  CHECK_THROWS_WITH(sb::core::Database("postgresql://rep:two%20words@127.0.0.1:1/team"),
                    Catch::Matchers::Contains("'password' has a space") && !Catch::Matchers::Contains("two words"));
}

TEST_CASE("a database from a newer build is refused", "[storage]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "x.db");
  sb::core::Database database(target.target());
  database.migrate();
  database.connections().withSession([](Poco::Data::Session& session) {
    session << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)",
        Poco::Data::Keywords::now;
  });
  CHECK_THROWS_WITH(database.migrate(), Catch::Matchers::Contains("newer than this build"));
}

TEST_CASE("the contacts rebuild (migration 4) keeps every contact and the calls that point at them",
          "[storage][sqlite]") {
  using Poco::Data::Keywords::into;
  using Poco::Data::Keywords::now;
  sb::test::TempDir dir;
  sb::core::Database database((dir / "x.db").string());
  REQUIRE(database.migrate(3) == 3);
  database.connections().withSession([](Poco::Data::Session& session) {
    session << "INSERT INTO contact_lists (id, name, created_at) VALUES (7, 'old', 1)", now;
    session << "INSERT INTO contacts (id, list_id, source_row, name, phone_raw, phone_e164, status, last_outcome, "
               "created_at, updated_at) VALUES (41, 7, 2, 'Ann', '212 555 0101', '+12125550101', 'called', "
               "'connected_interested', 1, 2)",
        now;
    session << "INSERT INTO calls (id, contact_id, agent_id, provider, to_e164, from_e164, conference_name, "
               "session_id, status, created_at, ended_at) VALUES ('call-1', 41, 'rep', 'sim', '+12125550101', "
               "'+15550000000', 'conf-1', 'session-1', 'completed', 1, 2)",
        now;
  });

  CHECK(database.migrate() == static_cast<int>(sb::core::builtInMigrations().size()) - 3);

  database.connections().withSession([](Poco::Data::Session& session) {
    std::string name;
    std::string outcome;
    session << "SELECT name, last_outcome FROM contacts WHERE id = 41 AND list_id = 7", into(name), into(outcome), now;
    CHECK(name == "Ann");
    CHECK(outcome == "connected_interested");
    // Dropping the old table did not run the calls' ON DELETE SET NULL.
    Poco::Int64 contactId = 0;
    session << "SELECT contact_id FROM calls WHERE id = 'call-1'", into(contactId), now;
    CHECK(contactId == 41);
    int foreignKeysOn = 0;
    session << "PRAGMA foreign_keys", into(foreignKeysOn), now;
    CHECK(foreignKeysOn == 1);
    // The calls still reference the rebuilt table: deleting the contact
    // clears the call's contact, as before.
    session << "DELETE FROM contacts WHERE id = 41", now;
    Poco::Nullable<Poco::Int64> cleared;
    session << "SELECT contact_id FROM calls WHERE id = 'call-1'", into(cleared), now;
    CHECK(cleared.isNull());
    std::string indexSql;
    session << "SELECT sql FROM sqlite_master WHERE name = 'contacts_by_list'", into(indexSql), now;
    CHECK(indexSql.find("list_id") != std::string::npos);
  });
}

TEST_CASE("under commits that never pause, the checkpointer keeps the WAL from growing without bound",
          "[storage][sqlite]") {
  sb::test::TempDir dir;
  const auto path = (dir / "x.db").string();
  sb::core::Database database(path);
  database.migrate();
  database.connections().withSession([](Poco::Data::Session& session) {
    session << "CREATE TABLE filler (id INTEGER PRIMARY KEY, blob BLOB)", Poco::Data::Keywords::now;
  });
  database.startCheckpointer(std::chrono::milliseconds(20));
  // Each commit appends a few 4 KiB frames; 160 MiB of them in all, with no
  // gap for a PASSIVE checkpoint to finish in.
  const int64_t pageBytes = 4096;
  const int64_t framesWritten = 160 * 1024 * 1024 / pageBytes;
  int64_t largestWal = 0;
  for (int64_t commit = 0; commit < framesWritten / 2; ++commit) {
    database.connections().withSession([](Poco::Data::Session& session) {
      session << "INSERT INTO filler (blob) VALUES (zeroblob(3000))", Poco::Data::Keywords::now;
    });
    if (commit % 1000 == 0) {
      std::error_code ignored;
      largestWal =
          std::max<int64_t>(largestWal, static_cast<int64_t>(std::filesystem::file_size(path + "-wal", ignored)));
    }
  }
  // PASSIVE alone ends near 160 MiB (measured); with restarts past 4096
  // frames (16 MiB) the file's high-water mark stayed near 50 MiB here.
  INFO("largest WAL seen: " << largestWal << " bytes");
  CHECK(largestWal > 0);
  CHECK(largestWal < 64 * 1024 * 1024);
}

TEST_CASE("SQL written with numbered parameters runs on SQLite, quoted text untouched", "[storage][sqlite]") {
  sb::core::Database database(":memory:");
  // Each number once and in order: plain "?".
  CHECK(database.sql("INSERT INTO t VALUES ($1, $2, $3), ($4, $5, $6)") == "INSERT INTO t VALUES (?, ?, ?), (?, ?, ?)");
  // Repeated or out of order: numbered.
  CHECK(database.sql("SELECT a FROM t WHERE b = $1 AND c IN ($2, $2) LIMIT $10") ==
        "SELECT a FROM t WHERE b = ?1 AND c IN (?2, ?2) LIMIT ?10");
  CHECK(database.sql("SELECT '$1', \"$2\", 'it''s $3', $1, $x") == "SELECT '$1', \"$2\", 'it''s $3', ?, $x");
  CHECK(database.sql("SELECT $2, $1") == "SELECT ?2, ?1");
  // A repeated number binds one value, as in PostgreSQL.
  std::string out;
  database.connections().withSession([&](Poco::Data::Session& session) {
    const std::string word = "echo";
    session << database.sql("SELECT $1 || '-' || $1"), Poco::Data::Keywords::useRef(word),
        Poco::Data::Keywords::into(out), Poco::Data::Keywords::now;
  });
  CHECK(out == "echo-echo");
}

TEST_CASE("prepared statements are reused, and a statement that failed runs again", "[storage][sqlite]") {
  using namespace Poco::Data::Keywords;
  sb::test::TempDir dir;
  sb::core::Database database((dir / "x.db").string());
  database.connections().withSession([&](Poco::Data::Session& session) {
    session << "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)", now;
    // The same text, run many times and by two statements alive at once.
    for (int i = 0; i < 100; ++i) {
      std::string key = "k" + std::to_string(i);
      session << database.sql("INSERT INTO t (k, v) VALUES ($1, $2)"), use(key), use(i), now;
    }
    Poco::Data::Statement first(session);
    Poco::Data::Statement second(session);
    int a = 0;
    int b = 0;
    first << "SELECT v FROM t WHERE k = 'k7'", into(a);
    second << "SELECT v FROM t WHERE k = 'k7'", into(b);
    first.execute();
    second.execute();
    CHECK(a == 7);
    CHECK(b == 7);
    // A constraint failure, then the same text succeeds.
    std::string duplicate = "k1";
    int value = 1;
    CHECK_THROWS_AS((session << database.sql("INSERT INTO t (k, v) VALUES ($1, $2)"), use(duplicate), use(value), now),
                    Poco::Data::DataException);
    std::string fresh = "new";
    session << database.sql("INSERT INTO t (k, v) VALUES ($1, $2)"), use(fresh), use(value), now;
    int count = 0;
    session << "SELECT COUNT(*) FROM t", into(count), now;
    CHECK(count == 101);
    // Comments only: nothing runs; two statements in one text: refused.
    CHECK_NOTHROW((session << "-- nothing here", now));
    CHECK_THROWS_AS((session << "DELETE FROM t; DELETE FROM t", now), Poco::Data::DataException);
    session << "SELECT COUNT(*) FROM t", into(count), now;
    CHECK(count == 101);
  });
}

// The database's readers (DatabaseOptions::readConnections): reads run
// beside the writer, see only what is committed unless the reading thread
// holds the writer, wait when every reader is lent, and outlive a lost
// PostgreSQL connection.

#include "storage/Connections.h"
#include "support/TempDir.h"
#include "support/TestDatabase.h"

#include <Poco/Data/Statement.h>
#include <switchboard/core/storage/Database.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

using namespace Poco::Data::Keywords;
using namespace std::chrono_literals;

namespace {

int64_t probeRows(Poco::Data::Session& session) {
  Poco::Int64 rows = 0;
  session << "SELECT COUNT(*) FROM pool_probe", into(rows), now;
  return rows;
}

void createProbe(sb::core::Database& database) {
  database.connections().withSession(
      [](Poco::Data::Session& session) { session << "CREATE TABLE pool_probe (x INTEGER)", now; });
}

}  // namespace

TEST_CASE("a read runs beside a writer's open transaction and sees only what is committed", "[storage][pool]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "pool.db");
  sb::core::Database database(target.target(), sb::core::DatabaseOptions{2});
  createProbe(database);
  auto& connections = database.connections();

  std::promise<void> inserted;
  std::promise<void> release;
  auto released = release.get_future().share();
  int64_t seenByWriterThread = -1;
  std::thread writer([&] {
    connections.withSession([&](Poco::Data::Session& session) {
      connections.beginWrite(session);
      session << "INSERT INTO pool_probe VALUES (1)", now;
      // The thread that holds the writer reads on it: its own rows, uncommitted.
      seenByWriterThread = connections.withReadSession(probeRows);
      inserted.set_value();
      released.wait();
      connections.commit(session);
    });
  });
  inserted.get_future().wait();

  // Another thread's read does not queue behind the open transaction.
  auto read = std::async(std::launch::async, [&] { return connections.withReadSession(probeRows); });
  const bool answeredWhileWriterHeld = read.wait_for(10s) == std::future_status::ready;
  release.set_value();
  writer.join();

  CHECK(seenByWriterThread == 1);
  REQUIRE(answeredWhileWriterHeld);
  CHECK(read.get() == 0);
  CHECK(connections.withReadSession(probeRows) == 1);
  CHECK(connections.openReaders() >= 1);
}

TEST_CASE("readers are bounded by the pool size: a read waits for a free one", "[storage][pool]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "pool.db");
  sb::core::Database database(target.target(), sb::core::DatabaseOptions{1});
  createProbe(database);
  auto& connections = database.connections();

  std::promise<void> lent;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::thread holder([&] {
    connections.withReadSession([&](Poco::Data::Session& session) {
      lent.set_value();
      released.wait();
      return probeRows(session);
    });
  });
  lent.get_future().wait();
  auto second = std::async(std::launch::async, [&] { return connections.withReadSession(probeRows); });
  // The only reader is lent: the second read cannot have run yet.
  CHECK(second.wait_for(300ms) == std::future_status::timeout);
  CHECK(connections.openReaders() == 1);
  release.set_value();
  holder.join();
  CHECK(second.get() == 0);
  CHECK(connections.openReaders() == 1);
}

TEST_CASE("with no readers, reads share the writer", "[storage][pool]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "pool.db");
  sb::core::Database database(target.target(), sb::core::DatabaseOptions{0});
  createProbe(database);
  CHECK(database.connections().withReadSession(probeRows) == 0);
  CHECK(database.connections().openReaders() == 0);
}

TEST_CASE("an in-memory SQLite database has no second connection: its reads share the writer", "[storage][no-db]") {
  sb::core::Database database(":memory:", sb::core::DatabaseOptions{4});
  createProbe(database);
  database.connections().withSession(
      [](Poco::Data::Session& session) { session << "INSERT INTO pool_probe VALUES (1)", now; });
  CHECK(database.connections().withReadSession(probeRows) == 1);
  CHECK(database.connections().openReaders() == 0);
  CHECK_NOTHROW(database.ping());
}

TEST_CASE("a SQLite reader refuses to write", "[storage][sqlite]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "pool.db");
  sb::core::Database database(target.target(), sb::core::DatabaseOptions{1});
  createProbe(database);
  CHECK_THROWS(database.connections().withReadSession(
      [](Poco::Data::Session& session) { session << "INSERT INTO pool_probe VALUES (1)", now; }));
  CHECK(database.connections().withReadSession(probeRows) == 0);
}

TEST_CASE("reads outlive their PostgreSQL connections being cut", "[storage][pool][pg-only]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "pool.db");
  sb::core::Database database(target.target(), sb::core::DatabaseOptions{2});
  createProbe(database);
  auto& connections = database.connections();
  REQUIRE(connections.withReadSession(probeRows) == 0);
  REQUIRE(connections.openReaders() == 1);

  // What a server restart does to every connection of the database.
  const std::string name = target.target().substr(target.target().rfind('/') + 1);
  sb::test::adminExec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");

  // The idle reader is dead; the read that meets it runs again on a new one.
  CHECK(connections.withReadSession(probeRows) == 0);
  CHECK_NOTHROW(database.ping());
  CHECK(connections.openReaders() == 1);
}

#include "support/TempDir.h"

#include <switchboard/core/storage/Database.h>

#include <catch2/catch.hpp>

TEST_CASE("migrations apply once, in order, and are recorded", "[storage]") {
  sb::test::TempDir dir;
  const auto path = (dir / "db" / "switchboard.db").string();
  sb::core::Database database(path);
  const int applied = database.migrate();
  CHECK(applied == static_cast<int>(sb::core::builtInMigrations().size()));
  CHECK(database.schemaVersion() == sb::core::builtInMigrations().back().version);
  CHECK(database.migrate() == 0);
  sb::core::Database reopened(path);
  CHECK(reopened.migrate() == 0);
}

TEST_CASE("a database from a newer build is refused", "[storage]") {
  sb::test::TempDir dir;
  sb::core::Database database((dir / "x.db").string());
  database.migrate();
  database.withSession([](Poco::Data::Session& session) {
    session << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)",
        Poco::Data::Keywords::now;
  });
  CHECK_THROWS_WITH(database.migrate(), Catch::Matchers::Contains("newer than this build"));
}

#pragma once

// The database a test opens. Tests run twice under ctest: once on SQLite
// (a file in the test's temporary folder) and once on PostgreSQL (labels
// `sqlite` and `postgresql`): in the PostgreSQL pass the ctest fixture has
// started a throwaway server (scripts/pg-throwaway.sh) and this makes a new,
// empty database on it for each TestDatabase, dropped at the end.

#include "support/TempDir.h"

#include <string>

namespace sb::test {

/// True in the PostgreSQL pass: SB_TEST_POSTGRES_URL (an admin URL) or
/// SB_TEST_POSTGRES_URL_FILE (a file holding one, from the ctest fixture)
/// is set.
bool onPostgresql();

class TestDatabase {
 public:
  /// SQLite: `dir`/`name`. PostgreSQL: a new database on the test server.
  TestDatabase(const TempDir& dir, const std::string& name);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  /// What core::Database takes (a path or a postgresql:// URL).
  const std::string& target() const noexcept { return target_; }

 private:
  std::string target_;
  std::string postgresqlName_;  ///< empty on SQLite
};

/// Runs `sql` on the test server's admin database (PostgreSQL pass only).
void adminExec(const std::string& sql);

}  // namespace sb::test

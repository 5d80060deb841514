#pragma once

// A migrated database (SQLite in a temporary folder, or PostgreSQL in the
// PostgreSQL pass) with the repositories
// and the contact service the call flows need: what the call tests build on.

#include "support/TempDir.h"
#include "support/TestDatabase.h"

#include <switchboard/core/calls/SqliteCallRepository.h>
#include <switchboard/core/contacts/ContactService.h>
#include <switchboard/core/contacts/SqliteContactRepository.h>
#include <switchboard/core/contacts/SqliteDncRepository.h>
#include <switchboard/core/metrics/Metrics.h>
#include <switchboard/core/storage/Database.h>

namespace sb::test {

struct CallDatabase {
  TempDir dir;
  TestDatabase target{dir, "calls.db"};
  core::Database database{target.target()};
  core::SqliteContactRepository contactRepository{database};
  core::SqliteDncRepository dncRepository{database};
  core::ContactService contacts{contactRepository, dncRepository, {}};
  core::SqliteCallRepository callRepository{database};
  core::Metrics metrics;

  CallDatabase() { database.migrate(); }
};

}  // namespace sb::test

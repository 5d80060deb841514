#pragma once

// A migrated SQLite database in a temporary folder with the repositories
// and the contact service the call flows need: what the call tests build on.

#include "support/TempDir.h"

#include <switchboard/core/calls/SqliteCallRepository.h>
#include <switchboard/core/contacts/ContactService.h>
#include <switchboard/core/contacts/SqliteContactRepository.h>
#include <switchboard/core/contacts/SqliteDncRepository.h>
#include <switchboard/core/metrics/Metrics.h>
#include <switchboard/core/storage/Database.h>

namespace sb::test {

struct CallDatabase {
  TempDir dir;
  core::Database database{(dir / "calls.db").string()};
  core::SqliteContactRepository contactRepository{database};
  core::SqliteDncRepository dncRepository{database};
  core::ContactService contacts{contactRepository, dncRepository, {}};
  core::SqliteCallRepository callRepository{database};
  core::Metrics metrics;

  CallDatabase() { database.migrate(); }
};

}  // namespace sb::test

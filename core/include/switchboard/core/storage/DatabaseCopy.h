#pragma once

#include <switchboard/core/storage/Database.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sb::core {

/// The tables `switchboard db copy` carries, in an order that satisfies
/// their foreign keys. Leases are not copied (they name the hosts of the
/// old database).
const std::vector<std::string>& copiedTables();

/// Rows copied, per table, in copiedTables() order.
using CopyReport = std::vector<std::pair<std::string, int64_t>>;

/// Copies every row of `from` into `to` (SQLite to PostgreSQL, or either
/// way): both are migrated to this build's schema first, `to` must hold no
/// rows in the copied tables (std::runtime_error names the first that does),
/// `from` is read as one snapshot, each table is written in one transaction,
/// and PostgreSQL's identity sequences are set past the copied ids so that
/// new rows do not collide. `progress` hears each table as it is done.
CopyReport copyDatabase(Database& from, Database& to,
                        const std::function<void(const std::string& table, int64_t rows)>& progress = {});

}  // namespace sb::core

#include <switchboard/core/contacts/SqliteDncRepository.h>

#include "storage/SqliteStatement.h"

namespace sb::core {
namespace {

using sqlite::Statement;

DncEntry readEntry(const Statement& row) {
  return {row.text(0), row.text(1), row.text(2), row.text(3), row.integer(4)};
}

}  // namespace

bool SqliteDncRepository::add(const DncEntry& entry) {
  return database_.withConnection([&](sqlite3* db) {
    Statement exists(db, "SELECT 1 FROM do_not_call WHERE phone_e164 = ?");
    exists.bind(1, entry.phoneE164);
    const bool known = exists.step();
    Statement upsert(db,
                     "INSERT INTO do_not_call (phone_e164, reason, source, created_by, created_at) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT (phone_e164) DO UPDATE SET reason = excluded.reason");
    upsert.bind(1, entry.phoneE164).bind(2, entry.reason).bind(3, entry.source).bind(4, entry.createdBy);
    upsert.bind(5, entry.createdAt).run();
    return !known;
  });
}

bool SqliteDncRepository::remove(const std::string& e164) {
  return database_.withConnection([&](sqlite3* db) {
    Statement s(db, "DELETE FROM do_not_call WHERE phone_e164 = ?");
    s.bind(1, e164);
    return s.run() > 0;
  });
}

std::optional<DncEntry> SqliteDncRepository::find(const std::string& e164) {
  return database_.withConnection([&](sqlite3* db) -> std::optional<DncEntry> {
    Statement s(db, "SELECT phone_e164, reason, source, created_by, created_at FROM do_not_call WHERE phone_e164 = ?");
    s.bind(1, e164);
    if (!s.step()) return std::nullopt;
    return readEntry(s);
  });
}

std::vector<DncEntry> SqliteDncRepository::list(int64_t offset, int64_t limit, int64_t& total) {
  return database_.withConnection([&](sqlite3* db) {
    Statement count(db, "SELECT COUNT(*) FROM do_not_call");
    total = count.step() ? count.integer(0) : 0;
    Statement s(db,
                "SELECT phone_e164, reason, source, created_by, created_at FROM do_not_call "
                "ORDER BY created_at DESC, phone_e164 LIMIT ? OFFSET ?");
    s.bind(1, limit).bind(2, offset);
    std::vector<DncEntry> out;
    while (s.step()) {
      out.push_back(readEntry(s));
    }
    return out;
  });
}

}  // namespace sb::core

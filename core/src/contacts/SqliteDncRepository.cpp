#include <switchboard/core/contacts/SqliteDncRepository.h>

#include "storage/Connections.h"

#include <Poco/Data/Statement.h>

using namespace Poco::Data::Keywords;

namespace sb::core {
namespace {

constexpr const char* kEntryColumns = "SELECT phone_e164, reason, source, created_by, created_at FROM do_not_call ";

using EntryRow = Poco::Tuple<std::string, std::string, std::string, std::string, Poco::Int64>;

DncEntry toEntry(const EntryRow& row) {
  return {row.get<0>(), row.get<1>(), row.get<2>(), row.get<3>(), row.get<4>()};
}

}  // namespace

bool SqliteDncRepository::add(const DncEntry& entry) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    int known = 0;
    session << database_.sql("SELECT COUNT(*) FROM do_not_call WHERE phone_e164 = $1"), useRef(entry.phoneE164),
        into(known), now;
    const Poco::Int64 createdAt = entry.createdAt;
    session << database_.sql(
        "INSERT INTO do_not_call (phone_e164, reason, source, created_by, created_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (phone_e164) DO UPDATE SET reason = excluded.reason"),
        useRef(entry.phoneE164), useRef(entry.reason), useRef(entry.source), useRef(entry.createdBy), useRef(createdAt),
        now;
    return known == 0;
  });
}

bool SqliteDncRepository::remove(const std::string& e164) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    Poco::Data::Statement statement(session);
    statement << database_.sql("DELETE FROM do_not_call WHERE phone_e164 = $1"), useRef(e164);
    return statement.execute() > 0;
  });
}

std::optional<DncEntry> SqliteDncRepository::find(const std::string& e164) {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) -> std::optional<DncEntry> {
    std::vector<EntryRow> rows;
    session << database_.sql(std::string(kEntryColumns) + "WHERE phone_e164 = $1"), useRef(e164), into(rows), now;
    if (rows.empty()) return std::nullopt;
    return toEntry(rows.front());
  });
}

std::vector<DncEntry> SqliteDncRepository::list(int64_t offset, int64_t limit, int64_t& total) {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    Poco::Int64 count = 0;
    session << database_.sql("SELECT COUNT(*) FROM do_not_call"), into(count), now;
    total = count;
    std::vector<EntryRow> rows;
    const Poco::Int64 first = offset;
    const Poco::Int64 most = limit;
    session << database_.sql(std::string(kEntryColumns) + "ORDER BY created_at DESC, phone_e164 LIMIT $1 OFFSET $2"),
        useRef(most), useRef(first), into(rows), now;
    std::vector<DncEntry> out;
    out.reserve(rows.size());
    for (const EntryRow& row : rows) out.push_back(toEntry(row));
    return out;
  });
}

}  // namespace sb::core

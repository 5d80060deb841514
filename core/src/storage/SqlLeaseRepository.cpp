#include <switchboard/core/storage/SqlLeaseRepository.h>

#include "storage/Connections.h"

#include <Poco/Data/Statement.h>

using namespace Poco::Data::Keywords;

namespace sb::core {

bool SqlLeaseRepository::acquire(const std::string& name, const std::string& holder, int64_t nowMs, int64_t ttlMs) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    std::string n = name;
    std::string h = holder;
    Poco::Int64 until = nowMs + ttlMs;
    Poco::Int64 at = nowMs;
    // One statement, so that two hosts asking at once cannot both win: the
    // row is written only if it is new, ours, or lapsed, and the count of
    // rows written says whether we hold the lease.
    Poco::Data::Statement statement(session);
    statement << database_.sql(
        "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at "
        "WHERE leases.holder = excluded.holder OR leases.expires_at <= $4"),
        use(n), use(h), use(until), use(at);
    return statement.execute() > 0;
  });
}

void SqlLeaseRepository::release(const std::string& name, const std::string& holder) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    std::string n = name;
    std::string h = holder;
    session << database_.sql("DELETE FROM leases WHERE name = $1 AND holder = $2"), use(n), use(h), now;
  });
}

}  // namespace sb::core

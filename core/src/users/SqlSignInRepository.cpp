#include <switchboard/core/users/SqlSignInRepository.h>

#include "storage/Connections.h"

#include <Poco/Data/Statement.h>

using namespace Poco::Data::Keywords;

namespace sb::core {

void SqlSignInRepository::insertSession(const SessionRecord& session) {
  database_.connections().withSession([&](Poco::Data::Session& db) {
    SessionRecord copy = session;
    Poco::Int64 createdAt = copy.createdAt, lastSeenAt = copy.lastSeenAt, expiresAt = copy.expiresAt;
    db << database_.sql(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5)"),
        use(copy.idHash), use(copy.userId), use(createdAt), use(lastSeenAt), use(expiresAt), now;
  });
}

std::optional<SessionRecord> SqlSignInRepository::findSession(const std::string& idHash) {
  return database_.connections().withReadSession([&](Poco::Data::Session& db) -> std::optional<SessionRecord> {
    std::string hash = idHash;
    std::vector<std::string> users;
    std::vector<Poco::Int64> created, seen, expires;
    db << database_.sql("SELECT user_id, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = $1"),
        use(hash), into(users), into(created), into(seen), into(expires), now;
    if (users.empty()) return std::nullopt;
    return SessionRecord{idHash, users[0], created[0], seen[0], expires[0]};
  });
}

void SqlSignInRepository::touchSession(const std::string& idHash, int64_t at) {
  database_.connections().withSession([&](Poco::Data::Session& db) {
    std::string hash = idHash;
    Poco::Int64 when = at;
    db << database_.sql("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2 AND last_seen_at < $1"), use(when),
        use(hash), now;
  });
}

void SqlSignInRepository::deleteSession(const std::string& idHash) {
  database_.connections().withSession([&](Poco::Data::Session& db) {
    std::string hash = idHash;
    db << database_.sql("DELETE FROM sessions WHERE id_hash = $1"), use(hash), now;
  });
}

void SqlSignInRepository::deleteSessionsOf(const std::string& userId) {
  database_.connections().withSession([&](Poco::Data::Session& db) {
    std::string id = userId;
    db << database_.sql("DELETE FROM sessions WHERE user_id = $1"), use(id), now;
  });
}

void SqlSignInRepository::purgeSessions(int64_t expiredBefore, int64_t idleBefore) {
  database_.connections().withSession([&](Poco::Data::Session& db) {
    Poco::Int64 expired = expiredBefore, idle = idleBefore;
    db << database_.sql("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2"), use(expired), use(idle),
        now;
  });
}

SignInFailures SqlSignInRepository::failures(const std::string& subject) {
  return database_.connections().withReadSession([&](Poco::Data::Session& db) {
    std::string key = subject;
    std::vector<Poco::Int64> counts, last;
    db << database_.sql("SELECT failures, last_failed_at FROM sign_in_failures WHERE subject = $1"), use(key),
        into(counts), into(last), now;
    return counts.empty() ? SignInFailures{} : SignInFailures{counts[0], last[0]};
  });
}

SignInFailures SqlSignInRepository::addFailure(const std::string& subject, int64_t at, int64_t forgetAfterMs) {
  return database_.connections().withSession([&](Poco::Data::Session& db) {
    std::string key = subject;
    Poco::Int64 when = at, forget = forgetAfterMs;
    // One statement, so that hosts counting the same subject at once add up.
    db << database_.sql(
        "INSERT INTO sign_in_failures (subject, failures, last_failed_at) VALUES ($1, 1, $2) "
        "ON CONFLICT (subject) DO UPDATE SET failures = CASE WHEN $2 - sign_in_failures.last_failed_at > $3 "
        "THEN 1 ELSE sign_in_failures.failures + 1 END, last_failed_at = $2"),
        use(key), use(when), use(forget), now;
    std::vector<Poco::Int64> counts, last;
    db << database_.sql("SELECT failures, last_failed_at FROM sign_in_failures WHERE subject = $1"), use(key),
        into(counts), into(last), now;
    return counts.empty() ? SignInFailures{} : SignInFailures{counts[0], last[0]};
  });
}

void SqlSignInRepository::clearFailures(const std::string& subject) {
  database_.connections().withSession([&](Poco::Data::Session& db) {
    std::string key = subject;
    db << database_.sql("DELETE FROM sign_in_failures WHERE subject = $1"), use(key), now;
  });
}

}  // namespace sb::core

#include <switchboard/core/storage/SqliteApiKeyRepository.h>

#include "storage/Connections.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

using namespace Poco::Data::Keywords;

namespace sb::core {
namespace {

constexpr const char* kColumns = "SELECT id, name, role, prefix, key_hash, created_at, revoked_at FROM api_keys";

std::vector<ApiKeyRecord> readKeys(Poco::Data::Statement& statement) {
  statement.execute();
  Poco::Data::RecordSet rows(statement);
  std::vector<ApiKeyRecord> out;
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    ApiKeyRecord record;
    record.id = rows.value(0).convert<std::string>();
    record.name = rows.value(1).convert<std::string>();
    record.role = rows.value(2).convert<std::string>();
    record.prefix = rows.value(3).convert<std::string>();
    record.keyHash = rows.value(4).convert<std::string>();
    record.createdAt = rows.value(5).convert<Poco::Int64>();
    if (!rows.value(6).isEmpty()) {
      record.revokedAt = rows.value(6).convert<Poco::Int64>();
    }
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace

void SqliteApiKeyRepository::insert(const ApiKeyRecord& record) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    ApiKeyRecord copy = record;
    Poco::Int64 createdAt = copy.createdAt;
    session << database_.sql(
        "INSERT INTO api_keys (id, name, role, prefix, key_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)"),
        use(copy.id), use(copy.name), use(copy.role), use(copy.prefix), use(copy.keyHash), use(createdAt), now;
  });
}

std::optional<ApiKeyRecord> SqliteApiKeyRepository::findByHash(const std::string& keyHash) {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) -> std::optional<ApiKeyRecord> {
    std::string hash = keyHash;
    Poco::Data::Statement statement(session);
    statement << database_.sql(std::string(kColumns) + " WHERE key_hash = $1"), use(hash);
    auto rows = readKeys(statement);
    if (rows.empty()) {
      return std::nullopt;
    }
    return rows.front();
  });
}

std::vector<ApiKeyRecord> SqliteApiKeyRepository::list() {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    Poco::Data::Statement statement(session);
    statement << database_.sql(std::string(kColumns) + " ORDER BY created_at, id");
    return readKeys(statement);
  });
}

bool SqliteApiKeyRepository::revoke(const std::string& idOrPrefix, int64_t at) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    std::string key = idOrPrefix;
    Poco::Int64 when = at;
    Poco::Data::Statement statement(session);
    statement << database_.sql(
        "UPDATE api_keys SET revoked_at = $1 WHERE (id = $2 OR prefix = $2) AND revoked_at IS NULL"),
        use(when), use(key);
    return statement.execute() > 0;
  });
}

}  // namespace sb::core

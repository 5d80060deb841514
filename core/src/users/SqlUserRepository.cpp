#include <switchboard/core/users/SqlUserRepository.h>

#include "storage/Connections.h"

#include <switchboard/core/DomainError.h>

#include <Poco/Data/DataException.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

using namespace Poco::Data::Keywords;

namespace sb::core {
namespace {

constexpr const char* kSelect =
    "SELECT id, email, email_key, display_name, role, password_hash, disabled, created_at, updated_at, "
    "last_sign_in_at FROM users";

std::vector<UserRecord> readUsers(Poco::Data::Statement& statement) {
  statement.execute();
  Poco::Data::RecordSet rows(statement);
  std::vector<UserRecord> out;
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    UserRecord user;
    user.id = rows.value(0).convert<std::string>();
    user.email = rows.value(1).convert<std::string>();
    user.emailKey = rows.value(2).convert<std::string>();
    user.displayName = rows.value(3).convert<std::string>();
    user.role = rows.value(4).convert<std::string>();
    user.passwordHash = rows.value(5).convert<std::string>();
    user.disabled = rows.value(6).convert<Poco::Int64>() != 0;
    user.createdAt = rows.value(7).convert<Poco::Int64>();
    user.updatedAt = rows.value(8).convert<Poco::Int64>();
    if (!rows.value(9).isEmpty()) {
      user.lastSignInAt = rows.value(9).convert<Poco::Int64>();
    }
    out.push_back(std::move(user));
  }
  return out;
}

}  // namespace

void SqlUserRepository::insert(const UserRecord& user) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    UserRecord copy = user;
    Poco::Int64 disabled = copy.disabled ? 1 : 0;
    Poco::Int64 createdAt = copy.createdAt;
    Poco::Int64 updatedAt = copy.updatedAt;
    try {
      session << database_.sql(
          "INSERT INTO users (id, email, email_key, display_name, role, password_hash, disabled, "
          "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
          use(copy.id), use(copy.email), use(copy.emailKey), use(copy.displayName), use(copy.role),
          use(copy.passwordHash), use(disabled), use(createdAt), use(updatedAt), now;
    } catch (const Poco::Data::DataException&) {
      // A random id does not collide: the address is taken (in any case).
      if (findByEmailKey(copy.emailKey)) {
        throw DomainError(DomainError::Kind::Conflict, "a user with email '" + user.email + "' exists already",
                          {{"email", user.email}});
      }
      throw;
    }
  });
}

std::optional<UserRecord> SqlUserRepository::findOne(const std::string& column, const std::string& value) {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) -> std::optional<UserRecord> {
    std::string bound = value;
    Poco::Data::Statement statement(session);
    statement << database_.sql(std::string(kSelect) + " WHERE " + column + " = $1"), use(bound);
    auto rows = readUsers(statement);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  });
}

std::optional<UserRecord> SqlUserRepository::findByEmailKey(const std::string& emailKey) {
  return findOne("email_key", emailKey);
}

std::optional<UserRecord> SqlUserRepository::findById(const std::string& id) {
  return findOne("id", id);
}

std::vector<UserRecord> SqlUserRepository::list() {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    Poco::Data::Statement statement(session);
    statement << std::string(kSelect) + " ORDER BY email_key";
    return readUsers(statement);
  });
}

bool SqlUserRepository::update(const UserRecord& user) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    UserRecord copy = user;
    Poco::Int64 disabled = copy.disabled ? 1 : 0;
    Poco::Int64 updatedAt = copy.updatedAt;
    Poco::Data::Statement statement(session);
    statement << database_.sql(
        "UPDATE users SET display_name = $1, role = $2, password_hash = $3, disabled = $4, "
        "updated_at = $5 WHERE id = $6"),
        use(copy.displayName), use(copy.role), use(copy.passwordHash), use(disabled), use(updatedAt), use(copy.id);
    return statement.execute() > 0;
  });
}

void SqlUserRepository::recordSignIn(const std::string& id, int64_t at) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    std::string bound = id;
    Poco::Int64 when = at;
    session << database_.sql("UPDATE users SET last_sign_in_at = $1 WHERE id = $2"), use(when), use(bound), now;
  });
}

}  // namespace sb::core

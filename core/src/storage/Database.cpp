#include <switchboard/core/storage/Database.h>

#include "storage/Connections.h"
#include "storage/Postgresql.h"

#include <Poco/Data/DataException.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <ctime>
#include <stdexcept>

using namespace Poco::Data::Keywords;

namespace sb::core {
namespace {

/// A migration whose SQL carries this line runs with foreign keys off.
constexpr const char* kForeignKeysOffMarker = "-- switchboard: foreign_keys off";

struct Target {
  DatabaseBackend backend;
  std::string connection;  ///< the SQLite path or libpq's connection string
  std::string displayName;
};

Target readTarget(const std::string& target) {
  if (postgresql::isUrl(target)) {
    auto parsed = postgresql::parseUrl(target);
    return {DatabaseBackend::Postgresql, std::move(parsed.connectionString), std::move(parsed.displayName)};
  }
  const std::string path = target.rfind("sqlite:", 0) == 0 ? target.substr(7) : target;
  if (path.empty()) {
    throw std::runtime_error("no database: set database.path (SQLite) or database.url");
  }
  return {DatabaseBackend::Sqlite, path, path};
}

std::unique_ptr<Database::Connections> connect(Target target, DatabaseOptions options) {
  return std::make_unique<Database::Connections>(target.backend, std::move(target.connection),
                                                 std::move(target.displayName), options);
}

int schemaVersionOf(Poco::Data::Session& session) {
  int version = 0;
  session << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(version), now;
  return version;
}

void recordMigration(const Database& database, Poco::Data::Session& session, const Migration& migration) {
  const auto nowSeconds = static_cast<Poco::Int64>(std::time(nullptr));
  const Poco::Int64 version = migration.version;
  session << database.sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)"),
      bind(version), bind(migration.name), bind(nowSeconds), now;
}

void applyPostgresql(const Database& database, Poco::Data::Session& session, const Migration& migration) {
  // PostgreSQL changes its schema transactionally: the migration and its
  // record commit together or not at all.
  session.begin();
  try {
    postgresql::execScript(session, migration.sql);
    recordMigration(database, session, migration);
    session.commit();
  } catch (const Poco::Exception& e) {
    database.connections().rollback(session);
    throw std::runtime_error("migration " + std::to_string(migration.version) + " (" + migration.name +
                             ") failed: " + e.displayText());
  }
}

void applySqlite(const Database& database, Poco::Data::Session& session, const Migration& migration) {
  // A migration that rebuilds a table runs with foreign keys off (SQLite's
  // documented procedure: dropping the old table would otherwise run the
  // referencing tables' ON DELETE actions), and checks them before commit.
  const bool foreignKeysOff = migration.sql.find(kForeignKeysOffMarker) != std::string::npos;
  if (foreignKeysOff) {
    session << "PRAGMA foreign_keys=OFF", now;
  }
  session.begin();
  try {
    // Poco runs one statement per execute; split on ';' at line ends.
    size_t start = 0;
    const std::string& text = migration.sql;
    while (start < text.size()) {
      size_t end = text.find(";\n", start);
      if (end == std::string::npos) {
        end = text.size();
      }
      std::string statement = text.substr(start, end - start);
      if (statement.find_first_not_of(" \t\r\n") != std::string::npos) {
        session << statement, now;
      }
      start = end + 2;
    }
    recordMigration(database, session, migration);
    if (foreignKeysOff) {
      int broken = 0;
      session << "SELECT COUNT(*) FROM pragma_foreign_key_check", into(broken), now;
      if (broken != 0) {
        throw Poco::Data::DataException(std::to_string(broken) + " rows violate a foreign key after the migration");
      }
    }
    session.commit();
  } catch (const Poco::Exception& e) {
    session.rollback();
    if (foreignKeysOff) {
      session << "PRAGMA foreign_keys=ON", now;
    }
    throw std::runtime_error("migration " + std::to_string(migration.version) + " (" + migration.name +
                             ") failed: " + e.displayText());
  }
  if (foreignKeysOff) {
    session << "PRAGMA foreign_keys=ON", now;
  }
}

int migrateLocked(const Database& database, Poco::Data::Session& session, int upToVersion) {
  const int current = schemaVersionOf(session);
  const auto& migrations = builtInMigrations(database.backend());
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (current > newest) {
    throw std::runtime_error("database '" + database.displayName() + "' is at schema version " +
                             std::to_string(current) + ", newer than this build's " + std::to_string(newest) +
                             "; upgrade switchboard");
  }
  int applied = 0;
  for (const auto& migration : migrations) {
    if (migration.version <= current || migration.version > upToVersion) {
      continue;
    }
    if (database.isPostgresql()) {
      applyPostgresql(database, session, migration);
    } else {
      applySqlite(database, session, migration);
    }
    ++applied;
  }
  return applied;
}

}  // namespace

Database::Database(const std::string& target, DatabaseOptions options)
    : connections_(connect(readTarget(target), options)), backend_(connections_->backend()) {}

Database::~Database() = default;

void Database::startCheckpointer(std::chrono::milliseconds interval) {
  connections_->startCheckpointer(interval);
}

const std::string& Database::displayName() const noexcept {
  return connections_->displayName();
}

int Database::schemaVersion() {
  return connections_->withSession(schemaVersionOf);
}

void Database::ping() {
  try {
    connections_->withReadSession([](Poco::Data::Session& session) {
      int one = 0;
      session << "SELECT 1", into(one), now;
    });
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("database '" + displayName() + "' does not answer: " + e.displayText());
  }
}

int Database::migrate(int upToVersion) {
  return connections_->withSession([&](Poco::Data::Session& session) {
    if (!isPostgresql()) {
      return migrateLocked(*this, session, upToVersion);
    }
    // Hosts that start together take turns: the second finds the work done.
    const std::string lock = std::to_string(Connections::kMigrationLock);
    postgresql::execScript(session, "SELECT pg_advisory_lock(" + lock + ")");
    try {
      const int applied = migrateLocked(*this, session, upToVersion);
      postgresql::execScript(session, "SELECT pg_advisory_unlock(" + lock + ")");
      return applied;
    } catch (...) {
      try {
        postgresql::execScript(session, "SELECT pg_advisory_unlock(" + lock + ")");
      } catch (const Poco::Exception&) {
        // The lock goes with the connection.
      }
      throw;
    }
  });
}

std::unique_ptr<DatabaseListener> Database::listen(const std::string& channel) const {
  if (!isPostgresql()) {
    return nullptr;
  }
  return postgresql::listen({connections_->connection(), connections_->displayName()}, channel);
}

std::string Database::utcDay(std::string_view milliseconds) const {
  const std::string ms(milliseconds);
  if (isPostgresql()) {
    return "to_char(to_timestamp((" + ms + ") / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
  }
  return "strftime('%Y-%m-%d', (" + ms + ") / 1000, 'unixepoch')";
}

std::string Database::contains(std::string_view haystack, std::string_view needle) const {
  return std::string(isPostgresql() ? "strpos(" : "instr(") + std::string(haystack) + ", " + std::string(needle) +
         ") > 0";
}

std::string Database::sql(std::string_view portable) const {
  if (isPostgresql()) {
    return std::string(portable);
  }
  // The parameters outside quoted text and identifiers: "$" and digits.
  std::vector<std::pair<size_t, size_t>> parameters;  // offset, length
  bool inOrder = true;
  char quote = 0;
  for (size_t i = 0; i < portable.size(); ++i) {
    const char c = portable[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '$' && i + 1 < portable.size() && portable[i + 1] >= '0' && portable[i + 1] <= '9') {
      size_t end = i + 1;
      while (end < portable.size() && portable[end] >= '0' && portable[end] <= '9') ++end;
      const std::string_view digits = portable.substr(i + 1, end - i - 1);
      inOrder = inOrder && digits == std::to_string(parameters.size() + 1);
      parameters.emplace_back(i, end - i);
      i = end - 1;
    }
  }
  // Each number once, in order: plain "?", which SQLite numbers as it
  // parses. Otherwise "?N", which it checks against the numbers seen so
  // far, one by one (measured: 1% of an import's instructions with 512
  // parameters per statement).
  std::string out;
  out.reserve(portable.size());
  size_t copied = 0;
  for (const auto& [offset, length] : parameters) {
    out.append(portable.substr(copied, offset - copied));
    out.append(inOrder ? "?" : "?" + std::string(portable.substr(offset + 1, length - 1)));
    copied = offset + length;
  }
  out.append(portable.substr(copied));
  return out;
}

}  // namespace sb::core

#include <switchboard/core/storage/Database.h>

#include "storage/Postgresql.h"
#include "storage/SqliteStatementCache.h"

#include <Poco/Data/DataException.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include <switchboard/core/log/Logging.h>

#include <filesystem>

#include <pthread.h>
#include <stdexcept>

using namespace Poco::Data::Keywords;

namespace sb::core {
namespace {

Poco::Data::Session openFile(const std::string& path) {
  static std::once_flag once;
  std::call_once(once, [] {
    // SQLite's memory statistics take a global mutex on every allocation;
    // we never read them. Must precede SQLite's initialization (a no-op,
    // SQLITE_MISUSE, if something initialized it already).
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // No per-call mutex in each connection: every connection here is used
    // by one thread at a time (the shared one under Database's mutex, the
    // checkpointer's and an import's by their own thread), so SQLite's own
    // locking is pure cost (measured: 2% of an import's instructions).
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    Poco::Data::SQLite::Connector::registerConnector();
    sqlite::CachingConnector::registerConnector();
  });
  if (path != ":memory:") {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::error_code ignored;
      std::filesystem::create_directories(parent, ignored);
    }
  }
  try {
    return Poco::Data::Session(sqlite::CachingConnector::kName, path);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot open database '" + path + "': " + e.displayText());
  }
}

constexpr int kBusyTimeoutMs = 5000;
/// How long a commit past the WAL's bound waits for a checkpoint in
/// progress before it gives up (the next commit tries again).
constexpr int kBackstopBusyMs = 1000;

/// A migration whose SQL carries this line runs with foreign keys off.
constexpr const char* kForeignKeysOffMarker = "-- switchboard: foreign_keys off";

/// The PostgreSQL advisory lock that migrating hosts take turns on (any
/// constant: it names the lock for this schema).
constexpr long kMigrationLock = 0x5357424452;  // "SWBDR"
/// The advisory lock that the hosts' call journals take turns on.
constexpr long kCallWritersLock = 0x5357424443;  // "SWBDC"

}  // namespace

Database::Target Database::readTarget(const std::string& target) {
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

Poco::Data::Session Database::openShared(const Target& target) {
  if (target.backend == DatabaseBackend::Postgresql) {
    return postgresql::open({target.connection, target.displayName});
  }
  return openFile(target.connection);
}

Database::Database(const std::string& target) : Database(readTarget(target)) {}

Database::Database(Target target)
    : path_(std::move(target.connection)),
      displayName_(std::move(target.displayName)),
      backend_(target.backend),
      session_(openShared({backend_, path_, displayName_})) {
  if (isPostgresql()) {
    preparePostgresql();
  } else {
    prepareSqlite();
  }
}

void Database::reconnectIfBroken() {
  if (!postgresql::isBroken(session_)) {
    return;
  }
  logger("storage")->warn("the connection to database '{}' was lost; connecting again", displayName_);
  Poco::Data::Session fresh = postgresql::open({path_, displayName_});  // throws while the server is away
  postgresql::retire(session_);
  retired_.push_back(session_);
  session_ = fresh;
  ++generation_;
  logger("storage")->info("connected to database '{}' again", displayName_);
}

void Database::prepareSqlite() {
  try {
    session_ << "PRAGMA journal_mode=WAL", now;
    session_ << "PRAGMA busy_timeout=" + std::to_string(kBusyTimeoutMs), now;
    session_ << "PRAGMA foreign_keys=ON", now;
    session_ << "PRAGMA synchronous=NORMAL", now;
    // When the WAL starts over, a file grown by a burst (a big import's one
    // transaction) is cut back to 64 MiB.
    session_ << "PRAGMA journal_size_limit=67108864", now;
    session_ << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at INTEGER NOT NULL)",
        now;
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot prepare database '" + path_ + "': " + e.displayText());
  }
}

void Database::preparePostgresql() {
  try {
    // Under the migrations' lock: two hosts starting together would both
    // see no table and the second CREATE would fail.
    postgresql::execScript(session_, "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) +
                                         "); CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                                         "KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL); COMMIT");
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot prepare database '" + displayName_ + "': " + e.displayText());
  }
}

Database::~Database() {
  stopCheckpointer();
}

void Database::startCheckpointer(std::chrono::milliseconds interval) {
  if (isPostgresql() || path_ == ":memory:" || checkpointer_.joinable()) {
    return;
  }
  sqlite3* db = openConnection();
  withConnection([this](sqlite3* shared) {
    sqlite3_wal_autocheckpoint(shared, 0);  // (this also clears the WAL hook: set ours after)
    sqlite3_wal_hook(shared, &Database::afterCommit, this);
  });
  checkpointer_ = std::thread([this, db, interval] {
    pthread_setname_np(pthread_self(), "sb-checkpoint");
    std::unique_lock lock(checkpointMutex_);
    while (!checkpointStop_) {
      checkpointWake_.wait_for(lock, interval, [this] { return checkpointStop_ || checkpointDue_.load(); });
      checkpointDue_ = false;
      lock.unlock();
      int walFrames = 0;
      int copied = 0;
      std::unique_lock passing(checkpointPass_);
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copied);
      if (walFrames > kRestartWalFrames) {
        // The restart holds the journal off while it copies what came after
        // the last pass and syncs the file. A pass copies what the WAL held
        // when it began, and commits go on meanwhile: repeat, outside the
        // journal's way, while a pass found many new frames, so that the
        // restart has little left (measured: restarts of 2-17 ms -> 1-13 ms,
        // webhook p99 14 -> 10 ms).
        // Bounded: under commits faster than a pass copies (a loaded
        // machine), passes never catch up; the WAL may grow by at most
        // kRestartPassFrames more before the restart (more let it pass
        // 64 MiB in CI's run of DatabaseTest).
        const int limit = walFrames + kRestartPassFrames;
        for (int pass = 0; pass < 3 && walFrames < limit; ++pass) {
          const int before = walFrames;
          sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copied);
          if (walFrames - before <= kRestartLeftoverFrames) {
            break;
          }
        }
        passing.unlock();  // before the shared connection: a writer at the backstop holds it and waits for this
        restartWal();
      }
      if (passing.owns_lock()) {
        passing.unlock();
      }
      lock.lock();
    }
    sqlite3_close_v2(db);
  });
}

void Database::restartWal() {
  // On the shared connection, under its mutex: the journal's next commit
  // waits on that mutex and is woken the moment the checkpoint is done. On a
  // connection of its own, the checkpoint's write lock would send the
  // journal into SQLite's busy handler, which sleeps in steps of up to
  // 100 ms (measured: p99 of webhooks 14 -> 52 ms). No busy wait here: if
  // an import holds the write lock, the next interval tries again.
  withConnection([](sqlite3* shared) {
    sqlite3_busy_timeout(shared, 0);
    sqlite3_wal_checkpoint_v2(shared, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    sqlite3_busy_timeout(shared, kBusyTimeoutMs);
  });
}

int Database::afterCommit(void* database, sqlite3* shared, const char*, int walFrames) {
  // The backstop: when the checkpointer falls far behind (a starved thread
  // on a loaded machine), the writer that commits past kMaxWalFrames makes
  // the WAL restart itself and waits for it, so the file stays bounded
  // whatever the scheduling. Normally never reached: the checkpointer
  // restarts the WAL past kRestartWalFrames.
  auto* self = static_cast<Database*>(database);
  if (walFrames > kRestartWalFrames && !self->checkpointDue_.exchange(true)) {
    // Do not wait for the next tick: under a fast writer the WAL would grow
    // by a tick's worth of commits first.
    self->checkpointWake_.notify_one();
  }
  if (walFrames > kMaxWalFrames) {
    // Wait for a pass in progress (bounded: a pass copies what the WAL held
    // when it began); a RESTART that meets one gives up at once.
    const std::lock_guard pass(self->checkpointPass_);
    sqlite3_busy_timeout(shared, kBackstopBusyMs);
    sqlite3_wal_checkpoint_v2(shared, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    sqlite3_busy_timeout(shared, kBusyTimeoutMs);
  }
  return SQLITE_OK;
}

void Database::stopCheckpointer() {
  if (!checkpointer_.joinable()) {
    return;
  }
  {
    std::lock_guard lock(checkpointMutex_);
    checkpointStop_ = true;
  }
  checkpointWake_.notify_all();
  checkpointer_.join();
  // Leave a small WAL behind.
  withConnection([](sqlite3* shared) {
    sqlite3_wal_checkpoint_v2(shared, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    sqlite3_wal_autocheckpoint(shared, 1000);
  });
}

sqlite3* Database::rawHandle() {
  return Poco::Data::SQLite::Utility::dbHandle(session_);
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

Poco::Data::Session Database::openSession() const {
  if (isPostgresql()) {
    return postgresql::open({path_, displayName_});
  }
  if (path_ == ":memory:") {
    throw std::runtime_error("an in-memory database has no second connection; use a file");
  }
  Poco::Data::Session session = openFile(path_);
  session << "PRAGMA busy_timeout=" + std::to_string(kBusyTimeoutMs), now;
  session << "PRAGMA foreign_keys=ON", now;
  session << "PRAGMA synchronous=NORMAL", now;
  return session;
}

sqlite3* Database::openConnection() const {
  if (path_ == ":memory:") {
    throw std::runtime_error("an in-memory database has no second connection; use a file");
  }
  sqlite3* db = nullptr;
  // NOMUTEX: a connection from here is used by one thread at a time (an
  // import's writer), so SQLite's per-call locking is pure cost.
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    const std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    throw std::runtime_error("cannot open database '" + path_ + "': " + message);
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_exec(db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;", nullptr, nullptr, nullptr);
  return db;
}

int Database::schemaVersion() {
  return withSession([](Poco::Data::Session& session) {
    int version = 0;
    session << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(version), now;
    return version;
  });
}

void Database::beginWrite(Poco::Data::Session& session) const {
  if (isPostgresql()) {
    session.begin();
  } else {
    session << "BEGIN IMMEDIATE", now;
  }
}

void Database::commit(Poco::Data::Session& session) const {
  if (isPostgresql()) {
    session.commit();
  } else {
    session << "COMMIT", now;
  }
}

void Database::rollback(Poco::Data::Session& session) const noexcept {
  try {
    if (isPostgresql()) {
      session.rollback();
    } else {
      session << "ROLLBACK", now;
    }
  } catch (const Poco::Exception&) {
    // A failed COMMIT may have ended the transaction already; a broken
    // connection rolls back by itself.
  }
}

void Database::lockCallWriters(Poco::Data::Session& session) const {
  if (isPostgresql()) {
    // One round trip (Poco would prepare, describe, run and deallocate).
    postgresql::execScript(session, "SELECT pg_advisory_xact_lock(" + std::to_string(kCallWritersLock) + ")");
  }
}

void Database::notify(Poco::Data::Session& session, const std::string& channel) const {
  if (isPostgresql()) {
    postgresql::execScript(session, "NOTIFY " + channel);
  }
}

std::unique_ptr<DatabaseListener> Database::listen(const std::string& channel) const {
  if (!isPostgresql()) {
    return nullptr;
  }
  return postgresql::listen({path_, displayName_}, channel);
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

int Database::migrate(int upToVersion) {
  return withSession([&](Poco::Data::Session& session) {
    if (!isPostgresql()) {
      return migrateLocked(session, upToVersion);
    }
    // Hosts that start together take turns: the second finds the work done.
    postgresql::execScript(session, "SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")");
    try {
      const int applied = migrateLocked(session, upToVersion);
      postgresql::execScript(session, "SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
      return applied;
    } catch (...) {
      try {
        postgresql::execScript(session, "SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
      } catch (const Poco::Exception&) {
        // The lock goes with the connection.
      }
      throw;
    }
  });
}

int Database::migrateLocked(Poco::Data::Session& session, int upToVersion) {
  const int current = schemaVersion();
  const auto& migrations = builtInMigrations(backend_);
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (current > newest) {
    throw std::runtime_error("database '" + displayName_ + "' is at schema version " + std::to_string(current) +
                             ", newer than this build's " + std::to_string(newest) + "; upgrade switchboard");
  }
  int applied = 0;
  for (const auto& migration : migrations) {
    if (migration.version <= current || migration.version > upToVersion) {
      continue;
    }
    if (isPostgresql()) {
      applyPostgresql(session, migration);
    } else {
      applySqlite(session, migration);
    }
    ++applied;
  }
  return applied;
}

void Database::recordMigration(Poco::Data::Session& session, const Migration& migration) {
  const auto nowSeconds = static_cast<Poco::Int64>(std::time(nullptr));
  const Poco::Int64 version = migration.version;
  session << sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)"), bind(version),
      bind(migration.name), bind(nowSeconds), now;
}

void Database::applyPostgresql(Poco::Data::Session& session, const Migration& migration) {
  // PostgreSQL changes its schema transactionally: the migration and its
  // record commit together or not at all.
  session.begin();
  try {
    postgresql::execScript(session, migration.sql);
    recordMigration(session, migration);
    session.commit();
  } catch (const Poco::Exception& e) {
    rollback(session);
    throw std::runtime_error("migration " + std::to_string(migration.version) + " (" + migration.name +
                             ") failed: " + e.displayText());
  }
}

void Database::applySqlite(Poco::Data::Session& session, const Migration& migration) {
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
    recordMigration(session, migration);
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

}  // namespace sb::core

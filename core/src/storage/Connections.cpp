#include "storage/Connections.h"

#include "storage/Postgresql.h"
#include "storage/SqliteStatementCache.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include <switchboard/core/log/Logging.h>

#include <algorithm>
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

/// The advisory lock that the hosts' call journals take turns on.
constexpr long kCallWritersLock = 0x5357424443;  // "SWBDC"

}  // namespace

Database::Connections::Connections(DatabaseBackend backend, std::string connection, std::string displayName,
                                   DatabaseOptions options)
    : path_(std::move(connection)),
      displayName_(std::move(displayName)),
      backend_(backend),
      session_(backend_ == DatabaseBackend::Postgresql ? postgresql::open({path_, displayName_}) : openFile(path_)),
      maxReaders_(backend_ == DatabaseBackend::Sqlite && path_ == ":memory:"
                      ? 0
                      : static_cast<size_t>(std::max(0, options.readConnections))) {
  idleReaders_.reserve(maxReaders_);  // giving a reader back never allocates
  if (isPostgresql()) {
    preparePostgresql();
  } else {
    prepareSqlite();
  }
}

Database::Connections::~Connections() {
  stopCheckpointer();
  if (isPostgresql()) {
    // Poco frees a connection only while it works: one the server cut and
    // nothing used since (the writer after a restart, an idle reader) would
    // outlive the database otherwise (LeakSanitizer found it).
    auto retireIfBroken = [](Poco::Data::Session& session) noexcept {
      try {
        if (postgresql::isBroken(session)) postgresql::retire(session);
      } catch (...) {
        // left as it is: one connection object, at exit
      }
    };
    retireIfBroken(session_);
    for (auto& reader : idleReaders_) retireIfBroken(reader);
  }
}

Poco::Data::Session Database::Connections::takeReader() {
  std::unique_lock lock(readersMutex_);
  readerFree_.wait(lock, [this] { return !idleReaders_.empty() || openReaders_ < maxReaders_; });
  if (!idleReaders_.empty()) {
    Poco::Data::Session session = std::move(idleReaders_.back());
    idleReaders_.pop_back();
    return session;
  }
  ++openReaders_;
  lock.unlock();
  return openCounted();
}

bool Database::Connections::isLost(Poco::Data::Session& reader) {
  return isPostgresql() && postgresql::isBroken(reader);
}

Poco::Data::Session Database::Connections::reopenReader(Poco::Data::Session& lost) {
  // Lost with the server (a restart, a terminated backend). A reader keeps
  // no statement between reads, so nothing refers to the old session.
  logger("storage")->warn("a reader's connection to database '{}' was lost; connecting again", displayName_);
  postgresql::retire(lost);
  return openReader();
}

Poco::Data::Session Database::Connections::openCounted() {
  try {
    return openReader();
  } catch (...) {
    {
      std::lock_guard lock(readersMutex_);
      --openReaders_;
    }
    readerFree_.notify_one();
    throw;
  }
}

void Database::Connections::giveBackReader(Poco::Data::Session session, bool lost) noexcept {
  {
    std::lock_guard lock(readersMutex_);
    if (lost) {
      --openReaders_;
    } else {
      idleReaders_.push_back(std::move(session));
    }
  }
  readerFree_.notify_one();
}

Poco::Data::Session Database::Connections::openReader() const {
  Poco::Data::Session session = openSession();
  if (!isPostgresql()) {
    // A reader never writes: a write through one would be a bug here.
    session << "PRAGMA query_only=ON", now;
  }
  return session;
}

size_t Database::Connections::openReaders() {
  std::lock_guard lock(readersMutex_);
  return openReaders_;
}

void Database::Connections::reconnectIfBroken() {
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

void Database::Connections::prepareSqlite() {
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

void Database::Connections::preparePostgresql() {
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

void Database::Connections::startCheckpointer(std::chrono::milliseconds interval) {
  if (isPostgresql() || path_ == ":memory:" || checkpointer_.joinable()) {
    return;
  }
  sqlite3* db = openConnection();
  withConnection([this](sqlite3* shared) {
    sqlite3_wal_autocheckpoint(shared, 0);  // (this also clears the WAL hook: set ours after)
    sqlite3_wal_hook(shared, &Database::Connections::afterCommit, this);
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

void Database::Connections::restartWal() {
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

int Database::Connections::afterCommit(void* connections, sqlite3* shared, const char*, int walFrames) {
  // The backstop: when the checkpointer falls far behind (a starved thread
  // on a loaded machine), the writer that commits past kMaxWalFrames makes
  // the WAL restart itself and waits for it, so the file stays bounded
  // whatever the scheduling. Normally never reached: the checkpointer
  // restarts the WAL past kRestartWalFrames.
  auto* self = static_cast<Database::Connections*>(connections);
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

void Database::Connections::stopCheckpointer() {
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

sqlite3* Database::Connections::rawHandle() {
  return Poco::Data::SQLite::Utility::dbHandle(session_);
}

Poco::Data::Session Database::Connections::openSession() const {
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

sqlite3* Database::Connections::openConnection() const {
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

void Database::Connections::beginWrite(Poco::Data::Session& session) const {
  if (isPostgresql()) {
    session.begin();
  } else {
    session << "BEGIN IMMEDIATE", now;
  }
}

void Database::Connections::commit(Poco::Data::Session& session) const {
  if (isPostgresql()) {
    session.commit();
  } else {
    session << "COMMIT", now;
  }
}

void Database::Connections::rollback(Poco::Data::Session& session) const noexcept {
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

void Database::Connections::lockCallWriters(Poco::Data::Session& session) const {
  if (isPostgresql()) {
    // One round trip (Poco would prepare, describe, run and deallocate).
    postgresql::execScript(session, "SELECT pg_advisory_xact_lock(" + std::to_string(kCallWritersLock) + ")");
  }
}

void Database::Connections::notify(Poco::Data::Session& session, const std::string& channel) const {
  if (isPostgresql()) {
    postgresql::execScript(session, "NOTIFY " + channel);
  }
}

}  // namespace sb::core

#pragma once

#include <switchboard/core/storage/DatabaseListener.h>

#include <Poco/Data/Session.h>

struct sqlite3;

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sb::core {

/// Where the data lives: one SQLite file (the embedded default) or a
/// PostgreSQL database that several hosts share.
enum class DatabaseBackend { Sqlite, Postgresql };

/// One migration compiled into the binary from
/// core/migrations/<backend>/NNNN_name.sql. Both backends have the same
/// versions and names.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

/// The migrations of this build for `backend`, in version order.
const std::vector<Migration>& builtInMigrations(DatabaseBackend backend = DatabaseBackend::Sqlite);

/// The database, SQLite or PostgreSQL, through Poco::Data, plus versioned
/// migrations. SQLite: one connection in WAL mode with a busy timeout and
/// foreign keys on; statements are prepared once per connection and text
/// (storage/SqliteStatementCache.h). PostgreSQL: one shared connection
/// through Poco's PostgreSQL connector, and connections of their own for
/// long transactions (openSession).
/// Repositories write one SQL text for both (numbered parameters, see sql())
/// and ask this class for what differs (beginWrite, utcDay, contains).
/// THREADING: the shared connection is serialized by withSession
/// (re-entrant on one thread, so a transaction can span calls).
class Database {
 public:
  /// Opens the database named by `target`: a PostgreSQL URL
  /// ("postgresql://user:password@host:port/name?sslmode=...", or
  /// "postgres://"), "sqlite:PATH", or a SQLite path (":memory:" works;
  /// the file is created if needed). Throws std::runtime_error naming the
  /// target (without its password) on failure.
  explicit Database(const std::string& target);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Moves WAL checkpoints off the writers: the shared connection stops
  /// checkpointing on commit and a thread of its own checkpoints every
  /// `interval`. A checkpoint fsyncs and copies pages back, which on commit
  /// would stall every caller waiting on that commit. It is PASSIVE (never
  /// blocks a writer) while the WAL is small; a PASSIVE checkpoint cannot
  /// finish while commits keep coming, and only a finished one lets the WAL
  /// start over, so past `kRestartWalFrames` it is RESTART, which holds
  /// writers off while it copies the rest. A commit that finds the WAL past
  /// `kRestartWalFrames` wakes the thread at once rather than at its next
  /// interval; one past `kMaxWalFrames` restarts the WAL itself (the
  /// backstop for a starved thread). No-op for ":memory:" and PostgreSQL
  /// (which checkpoints by itself).
  void startCheckpointer(std::chrono::milliseconds interval);
  /// WAL frames (pages) past which the checkpointer makes the WAL restart.
  static constexpr int kRestartWalFrames = 4096;
  /// Frames the restart may have left to copy while it holds writers off.
  static constexpr int kRestartLeftoverFrames = 256;
  /// How far the WAL may grow during the passes that come before a restart.
  static constexpr int kRestartPassFrames = 1024;
  /// Past this, the committing writer restarts the WAL itself (56 MiB of
  /// pages: the file stays under 64 MiB with its frame headers).
  static constexpr int kMaxWalFrames = 3 * kRestartWalFrames + kRestartWalFrames / 2;

  /// Applies every pending migration up to `upToVersion` (all by default),
  /// each in its own transaction, and returns how many ran. Refuses a
  /// database newer than this build. On PostgreSQL, hosts that start
  /// together take turns (an advisory lock): each migration runs once.
  int migrate(int upToVersion = std::numeric_limits<int>::max());
  int schemaVersion();

  /// Runs fn(Poco::Data::Session&) on the shared connection. On PostgreSQL
  /// a connection found broken (a server restart, a terminated backend) is
  /// made again first: the statement that met the break failed, the next
  /// caller gets a new connection (and a new connectionGeneration()).
  template <typename Fn>
  auto withSession(Fn&& fn) {
    std::lock_guard lock(mutex_);
    if (backend_ == DatabaseBackend::Postgresql) {
      reconnectIfBroken();
    }
    return fn(session_);
  }

  /// A new connection to the same database, configured like the shared one
  /// (SQLite: busy timeout, foreign keys), for long transactions such as an
  /// import that must not hold the shared connection. Use it from one
  /// thread at a time. Not available for SQLite's ":memory:".
  Poco::Data::Session openSession() const;

  /// Counts the shared connection's replacements (under withSession).
  /// Statements kept between calls belong to one connection: a holder that
  /// sees the number change drops them and prepares them again.
  uint64_t connectionGeneration() const noexcept { return generation_; }

  /// The target as given, with a PostgreSQL password masked: for logs.
  const std::string& displayName() const noexcept { return displayName_; }
  DatabaseBackend backend() const noexcept { return backend_; }
  bool isPostgresql() const noexcept { return backend_ == DatabaseBackend::Postgresql; }

  /// Transaction control for a write transaction on `session` (the shared
  /// one inside withSession, or one from openSession). SQLite: BEGIN
  /// IMMEDIATE, so that the transaction never has to upgrade a read lock
  /// (which fails at once, busy timeout or not, when another writer
  /// waits). PostgreSQL: Poco's begin/commit/rollback, which let the
  /// connector defer deallocating statements until the transaction ends
  /// (inside a failed transaction a DEALLOCATE fails, and the statement
  /// would stay on the server for the connection's life).
  void beginWrite(Poco::Data::Session& session) const;
  void commit(Poco::Data::Session& session) const;
  /// Never throws: a failed COMMIT may have ended the transaction already,
  /// and a broken connection rolls back all the same.
  void rollback(Poco::Data::Session& session) const noexcept;

  /// PostgreSQL: holds every other host's call writers off until
  /// `session`'s transaction ends (a transaction-scoped advisory lock), so
  /// that event sequence numbers commit in the order they were taken and a
  /// host that reads "events after N" never skips one that commits late.
  /// No-op on SQLite, whose writers are serialized already.
  void lockCallWriters(Poco::Data::Session& session) const;
  /// PostgreSQL: NOTIFY `channel`, delivered to listeners (listen()) when
  /// `session`'s transaction commits. No-op on SQLite.
  void notify(Poco::Data::Session& session, const std::string& channel) const;

  /// A listener on `channel` (a plain identifier) on its own connection:
  /// PostgreSQL only (nullptr on SQLite, which one host has to itself).
  std::unique_ptr<DatabaseListener> listen(const std::string& channel) const;

  /// SQL for the UTC day ("YYYY-MM-DD") of a Unix-milliseconds expression.
  std::string utcDay(std::string_view milliseconds) const;
  /// SQL that is true when text `needle` occurs in text `haystack`.
  std::string contains(std::string_view haystack, std::string_view needle) const;

  /// `portable` in this database's parameter style. Repositories write SQL
  /// with PostgreSQL's numbered parameters ($1, $2, ...; each number first
  /// used in increasing order, a number may repeat); PostgreSQL gets them
  /// as written. SQLite gets "?" (or
  /// "?N" when a number repeats): to SQLite "$1" is a name, and names are
  /// looked up one by one while a statement is prepared (measured: with
  /// 512-parameter inserts, 1M-row imports took 5.5 s instead of 3.5-3.9 s).
  std::string sql(std::string_view portable) const;

 private:
  struct Target {
    DatabaseBackend backend;
    std::string connection;  ///< the SQLite path or libpq's connection string
    std::string displayName;
  };
  static Target readTarget(const std::string& target);
  explicit Database(Target target);
  static Poco::Data::Session openShared(const Target& target);
  void prepareSqlite();
  void preparePostgresql();
  void reconnectIfBroken();
  int migrateLocked(Poco::Data::Session& session, int upToVersion);
  void applySqlite(Poco::Data::Session& session, const Migration& migration);
  void applyPostgresql(Poco::Data::Session& session, const Migration& migration);
  void recordMigration(Poco::Data::Session& session, const Migration& migration);

  /// Runs fn(sqlite3*) on the shared connection, serialized like withSession:
  /// for SQLite's checkpoint API, which Poco::Data does not wrap.
  template <typename Fn>
  auto withConnection(Fn&& fn) {
    std::lock_guard lock(mutex_);
    return fn(rawHandle());
  }
  sqlite3* rawHandle();
  /// A raw connection of the checkpointer's own (SQLite's checkpoint API
  /// has no Poco::Data equivalent). Close it with sqlite3_close_v2.
  sqlite3* openConnection() const;

  void stopCheckpointer();
  /// sqlite3_wal_hook of the shared connection while the checkpointer runs.
  static int afterCommit(void* database, sqlite3* shared, const char* schema, int walFrames);

  /// The SQLite file, or libpq's "key=value" connection string.
  std::string path_;
  std::string displayName_;
  DatabaseBackend backend_ = DatabaseBackend::Sqlite;
  std::recursive_mutex mutex_;
  /// Copies the WAL's last frames back holding writers off, so that the
  /// next commit starts the WAL over.
  void restartWal();

  std::mutex checkpointMutex_;
  std::condition_variable checkpointWake_;
  bool checkpointStop_ = false;
  std::atomic<bool> checkpointDue_{false};  ///< a commit saw the WAL past kRestartWalFrames
  /// Held by the checkpointer while its passes run on its own connection
  /// (never while it waits for the shared connection), and by a writer at
  /// the backstop: SQLite answers a RESTART with SQLITE_BUSY, without
  /// waiting, while another connection checkpoints, so without this the
  /// backstop failed whenever it met a pass (measured: the WAL reached
  /// 68 MiB in 4 of 12 loaded runs of DatabaseTest).
  std::mutex checkpointPass_;
  std::thread checkpointer_;  // recursive: a batched transaction calls repositories that lock too
  Poco::Data::Session session_;
  uint64_t generation_ = 0;
  /// Replaced connections, kept: Poco's statements refer to their session
  /// without owning it, and a holder drops its statements only at its next
  /// use (one dead connection per replacement, which is rare).
  std::vector<Poco::Data::Session> retired_;
};

}  // namespace sb::core

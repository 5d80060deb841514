#pragma once

#include <Poco/Data/Session.h>

struct sqlite3;

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sb::core {

/// One migration compiled into the binary from core/migrations/NNNN_name.sql.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

/// The migrations of this build, in version order.
const std::vector<Migration>& builtInMigrations();

/// The SQLite database: one connection in WAL mode with a busy timeout and
/// foreign keys on, plus versioned migrations. Repositories use it through
/// Poco::Data (withSession, openSession); statements are prepared once per
/// connection and text (storage/SqliteStatementCache.h).
/// THREADING: the connection is shared; withSession serializes
/// its users (re-entrant on one thread, so a transaction can span calls).
class Database {
 public:
  /// Opens (creating if needed) the database at `path` (":memory:" works).
  /// Throws std::runtime_error naming the path on failure.
  explicit Database(const std::string& path);
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
  /// backstop for a starved thread). No-op for ":memory:".
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
  /// database newer than this build.
  int migrate(int upToVersion = std::numeric_limits<int>::max());
  int schemaVersion();

  template <typename Fn>
  auto withSession(Fn&& fn) {
    std::lock_guard lock(mutex_);
    return fn(session_);
  }

  /// A new connection to the same database, configured like the shared one
  /// (busy timeout, foreign keys), for long transactions such as an import
  /// that must not hold the shared connection. Use it from one thread at a
  /// time. Not available for ":memory:" databases.
  Poco::Data::Session openSession() const;

  const std::string& path() const noexcept { return path_; }

  /// `portable` in this database's parameter style. Repositories write SQL
  /// with PostgreSQL's numbered parameters ($1, $2, ...; each number first
  /// used in increasing order, a number may repeat). SQLite gets "?" (or
  /// "?N" when a number repeats): to SQLite "$1" is a name, and names are
  /// looked up one by one while a statement is prepared (measured: with
  /// 512-parameter inserts, 1M-row imports took 5.5 s instead of 3.5-3.9 s).
  std::string sql(std::string_view portable) const;

 private:
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

  std::string path_;
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
};

}  // namespace sb::core

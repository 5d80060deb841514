#pragma once

// The database's connections, private to core: the repositories' one way to
// Poco::Data. Outside core, Database is all there is (no Poco::Data type in
// a public header), so that storage stays one idiom behind the repository
// interfaces.

#include <switchboard/core/storage/Database.h>

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

struct sqlite3;

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace sb::core {

/// One writer connection, shared and serialized, and a pool of reader
/// connections.
/// - The writer: SQLite in WAL mode with a busy timeout and foreign keys
///   on, or PostgreSQL through Poco's connector; statements prepared once
///   per connection (storage/SqliteStatementCache.h,
///   storage/PostgresqlStatementCache.h). Every write and every read that
///   must see the writer's own cache or transaction goes here.
/// - The readers (DatabaseOptions::readConnections, opened when first
///   needed): reads that need no transaction (history, timelines, stats,
///   lists, the event feed, API-key lookups) run beside the writer instead
///   of queueing behind it. A thread that holds the writer reads on it
///   (it must see its own uncommitted rows). SQLite's ":memory:" has no
///   second connection: its reads share the writer.
/// THREADING: withSession is re-entrant on one thread, so a transaction
/// can span calls; a reader is used by one thread at a time.
class Database::Connections {
 public:
  Connections(DatabaseBackend backend, std::string connection, std::string displayName, DatabaseOptions options);
  ~Connections();
  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;

  /// Runs fn(Poco::Data::Session&) on the writer. On PostgreSQL a
  /// connection found broken (a server restart, a terminated backend) is
  /// made again first: the statement that met the break failed, the next
  /// caller gets a new connection (and a new connectionGeneration()).
  template <typename Fn>
  auto withSession(Fn&& fn) {
    std::lock_guard lock(mutex_);
    const WriterHeld held(writerThread_);
    if (backend_ == DatabaseBackend::Postgresql) {
      reconnectIfBroken();
    }
    return fn(session_);
  }

  /// Runs fn(Poco::Data::Session&) on a reader, waiting for a free one; on
  /// the writer when this thread holds it or there are no readers. A read
  /// that meets a lost connection (a PostgreSQL restart) runs once more on
  /// a new one: a read may run twice, so fn must only read.
  template <typename Fn>
  auto withReadSession(Fn&& fn) {
    if (maxReaders_ == 0 || writerThread_.load() == std::this_thread::get_id()) {
      return withSession(std::forward<Fn>(fn));
    }
    ReaderLease lease(*this);
    try {
      return fn(lease.session());
    } catch (const Poco::Exception&) {
      if (!lease.renewIfBroken()) throw;
    }
    return fn(lease.session());
  }

  /// A new connection to the same database, configured like the writer
  /// (SQLite: busy timeout, foreign keys), for long transactions such as an
  /// import that must not hold the writer. Use it from one thread at a
  /// time. Not available for SQLite's ":memory:".
  Poco::Data::Session openSession() const;

  /// Counts the writer's replacements (under withSession). Statements kept
  /// between calls belong to one connection: a holder that sees the number
  /// change drops them and prepares them again.
  uint64_t connectionGeneration() const noexcept { return generation_; }

  DatabaseBackend backend() const noexcept { return backend_; }
  bool isPostgresql() const noexcept { return backend_ == DatabaseBackend::Postgresql; }
  const std::string& displayName() const noexcept { return displayName_; }
  /// The SQLite file, or libpq's "key=value" connection string.
  const std::string& connection() const noexcept { return path_; }

  /// Transaction control for a write transaction on `session` (the writer
  /// inside withSession, or one from openSession). SQLite: BEGIN
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

  /// Readers open now (they are opened when first needed).
  size_t openReaders();

  /// See Database::startCheckpointer.
  void startCheckpointer(std::chrono::milliseconds interval);

  /// The PostgreSQL advisory lock that migrating hosts take turns on (any
  /// constant: it names the lock for this schema).
  static constexpr long kMigrationLock = 0x5357424452;  // "SWBDR"

  /// WAL frames (pages) past which the checkpointer makes the WAL restart.
  static constexpr int kRestartWalFrames = 4096;
  /// Frames the restart may have left to copy while it holds writers off.
  static constexpr int kRestartLeftoverFrames = 256;
  /// How far the WAL may grow during the passes that come before a restart.
  static constexpr int kRestartPassFrames = 1024;
  /// Past this, the committing writer restarts the WAL itself (56 MiB of
  /// pages: the file stays under 64 MiB with its frame headers).
  static constexpr int kMaxWalFrames = 3 * kRestartWalFrames + kRestartWalFrames / 2;

 private:
  /// Marks the writer as held by this thread for withReadSession; nested
  /// holds leave the mark to the outermost.
  class WriterHeld {
   public:
    explicit WriterHeld(std::atomic<std::thread::id>& holder)
        : holder_(holder), outer_(holder.load() != std::this_thread::get_id()) {
      if (outer_) holder_.store(std::this_thread::get_id());
    }
    ~WriterHeld() {
      if (outer_) holder_.store(std::thread::id());
    }
    WriterHeld(const WriterHeld&) = delete;
    WriterHeld& operator=(const WriterHeld&) = delete;

   private:
    std::atomic<std::thread::id>& holder_;
    bool outer_;
  };

  /// A reader taken from the pool for one withReadSession, given back after.
  class ReaderLease {
   public:
    explicit ReaderLease(Connections& owner) : owner_(owner), session_(owner.takeReader()) {}
    ~ReaderLease() { owner_.giveBackReader(std::move(session_), lost_); }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Poco::Data::Session& session() { return session_; }
    /// PostgreSQL: replaces a reader whose connection is lost by a new one
    /// (throws while the server is away: then the slot is given up);
    /// false, and no change, when the connection is fine.
    bool renewIfBroken() {
      if (!owner_.isLost(session_)) return false;
      lost_ = true;
      session_ = owner_.reopenReader(session_);
      lost_ = false;
      return true;
    }

   private:
    Connections& owner_;
    Poco::Data::Session session_;
    bool lost_ = false;
  };

  Poco::Data::Session takeReader();
  /// Puts a reader back in the pool, or frees its slot when it was `lost`.
  void giveBackReader(Poco::Data::Session session, bool lost) noexcept;
  /// PostgreSQL: the reader's connection is known to be lost.
  bool isLost(Poco::Data::Session& reader);
  /// Frees a lost reader's connection and makes a new one.
  Poco::Data::Session reopenReader(Poco::Data::Session& lost);
  /// A new reader for a slot already counted in openReaders_ (given back
  /// if the connection cannot be made).
  Poco::Data::Session openCounted();
  Poco::Data::Session openReader() const;

  void prepareSqlite();
  void preparePostgresql();
  void reconnectIfBroken();

  /// Runs fn(sqlite3*) on the writer, serialized like withSession: for
  /// SQLite's checkpoint API, which Poco::Data does not wrap.
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
  /// Copies the WAL's last frames back holding writers off, so that the
  /// next commit starts the WAL over.
  void restartWal();
  /// sqlite3_wal_hook of the writer while the checkpointer runs.
  static int afterCommit(void* connections, sqlite3* shared, const char* schema, int walFrames);

  std::string path_;
  std::string displayName_;
  DatabaseBackend backend_;
  std::recursive_mutex mutex_;  // recursive: a batched transaction calls repositories that lock too
  std::atomic<std::thread::id> writerThread_{};

  std::mutex checkpointMutex_;
  std::condition_variable checkpointWake_;
  bool checkpointStop_ = false;
  std::atomic<bool> checkpointDue_{false};  ///< a commit saw the WAL past kRestartWalFrames
  /// Held by the checkpointer while its passes run on its own connection
  /// (never while it waits for the writer), and by a writer at the
  /// backstop: SQLite answers a RESTART with SQLITE_BUSY, without waiting,
  /// while another connection checkpoints, so without this the backstop
  /// failed whenever it met a pass (measured: the WAL reached 68 MiB in 4
  /// of 12 loaded runs of DatabaseTest).
  std::mutex checkpointPass_;
  std::thread checkpointer_;
  Poco::Data::Session session_;
  uint64_t generation_ = 0;
  /// Replaced connections, kept: Poco's statements refer to their session
  /// without owning it, and a holder drops its statements only at its next
  /// use (one dead connection per replacement, which is rare).
  std::vector<Poco::Data::Session> retired_;

  std::mutex readersMutex_;
  std::condition_variable readerFree_;
  std::vector<Poco::Data::Session> idleReaders_;
  size_t openReaders_ = 0;  ///< idle and lent
  size_t maxReaders_;
};

}  // namespace sb::core

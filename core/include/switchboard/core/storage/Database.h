#pragma once

#include <switchboard/core/storage/DatabaseListener.h>

#include <chrono>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
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

/// How a host uses its connections to the database.
struct DatabaseOptions {
  /// Connections for reads that need no transaction (history, timelines,
  /// stats, lists, the event feed, API-key lookups), beside the one
  /// connection that writes; opened when first needed. 0: reads share the
  /// writer's connection.
  int readConnections = 2;
};

/// The database, SQLite or PostgreSQL, through Poco::Data, plus versioned
/// migrations. Repositories write one SQL text for both (numbered
/// parameters, see sql()), ask this class for what differs (utcDay,
/// contains) and reach the connections through connections() (core's own
/// storage/Connections.h: no Poco::Data type leaves core).
class Database {
 public:
  /// Opens the database named by `target`: a PostgreSQL URL
  /// ("postgresql://user:password@host:port/name?sslmode=...", or
  /// "postgres://"), "sqlite:PATH", or a SQLite path (":memory:" works;
  /// the file is created if needed). Throws std::runtime_error naming the
  /// target (without its password) on failure.
  explicit Database(const std::string& target, DatabaseOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Moves WAL checkpoints off the writers: the writer stops checkpointing
  /// on commit and a thread of its own checkpoints every `interval`. A
  /// checkpoint fsyncs and copies pages back, which on commit would stall
  /// every caller waiting on that commit. It is PASSIVE (never blocks a
  /// writer) while the WAL is small; a PASSIVE checkpoint cannot finish
  /// while commits keep coming, and only a finished one lets the WAL start
  /// over, so past a bound it is RESTART, which holds writers off while it
  /// copies the rest; a commit far past the bound restarts the WAL itself
  /// (the backstop for a starved thread). No-op for ":memory:" and
  /// PostgreSQL (which checkpoints by itself).
  void startCheckpointer(std::chrono::milliseconds interval);

  /// Applies every pending migration up to `upToVersion` (all by default),
  /// each in its own transaction, and returns how many ran. Refuses a
  /// database newer than this build. On PostgreSQL, hosts that start
  /// together take turns (an advisory lock): each migration runs once.
  int migrate(int upToVersion = std::numeric_limits<int>::max());
  int schemaVersion();

  /// One round trip on a reader; throws std::runtime_error when the
  /// database does not answer (for /ready).
  void ping();

  /// The target as given, with a PostgreSQL password masked: for logs.
  const std::string& displayName() const noexcept;
  DatabaseBackend backend() const noexcept { return backend_; }
  bool isPostgresql() const noexcept { return backend_ == DatabaseBackend::Postgresql; }

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

  /// The writer and the readers: core's storage/Connections.h.
  class Connections;
  Connections& connections() noexcept { return *connections_; }
  const Connections& connections() const noexcept { return *connections_; }

 private:
  std::unique_ptr<Connections> connections_;
  DatabaseBackend backend_;
};

}  // namespace sb::core

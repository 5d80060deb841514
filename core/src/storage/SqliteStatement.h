#pragma once

// A thin RAII layer over SQLite's C API for the hot paths (bulk import,
// paged queries): Poco::Data's per-row execute() is 5.8x slower
// (architecture.md). Internal to core/src/storage.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sb::core::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

inline void check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
    throw SqliteError(std::string(what) + ": " + sqlite3_errmsg(db), rc);
  }
}

inline void exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw SqliteError(std::string(sql) + ": " + text, rc);
  }
}

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db), owned_(true) {
    check(db_, sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr), "prepare");
  }
  /// Borrows a prepared statement (from a StatementCache): reset, not
  /// finalized, when this goes out of scope.
  Statement(sqlite3* db, sqlite3_stmt* prepared) : db_(db), stmt_(prepared), owned_(false) {}
  ~Statement() {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else {
      reset();
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text) {
    check(db_, sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT), "bind");
    return *this;
  }
  /// Binds without a copy: `text` must stay alive until the next reset().
  Statement& bindStatic(int index, std::string_view text) {
    check(db_, sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC), "bind");
    return *this;
  }
  Statement& bind(int index, int64_t value) {
    check(db_, sqlite3_bind_int64(stmt_, index, value), "bind");
    return *this;
  }
  Statement& bindNull(int index) {
    check(db_, sqlite3_bind_null(stmt_, index), "bind");
    return *this;
  }
  /// Binds a named parameter (":name").
  template <typename T>
  Statement& bind(const char* name, const T& value) {
    return bind(sqlite3_bind_parameter_index(stmt_, name), value);
  }
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bindNull(index);
  }

  /// True when a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw SqliteError(std::string("step: ") + sqlite3_errmsg(db_), rc);
  }
  /// Runs to completion; returns the rows changed.
  int64_t run() {
    while (step()) {
    }
    return sqlite3_changes64(db_);
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data == nullptr ? std::string()
                           : std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::optional<std::string> optionalText(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return text(column);
  }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::optional<int64_t> optionalInteger(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return integer(column);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool owned_;
};

/// Prepared statements kept for the life of a connection, for hot paths
/// (preparing costs about as much as running a point query). Keyed by the
/// SQL literal's address. Use under the connection's lock.
class StatementCache {
 public:
  StatementCache() = default;
  ~StatementCache() {
    for (auto& [sql, stmt] : statements_) {
      sqlite3_finalize(stmt);
    }
  }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  Statement get(sqlite3* db, const char* sql) {
    if (db != db_) {
      clear();
      db_ = db;
    }
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      sqlite3_stmt* stmt = nullptr;
      check(db, sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr), "prepare");
      it = statements_.emplace(sql, stmt).first;
    }
    return Statement(db, it->second);
  }

 private:
  void clear() {
    for (auto& [sql, stmt] : statements_) {
      sqlite3_finalize(stmt);
    }
    statements_.clear();
  }
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace sb::core::sqlite

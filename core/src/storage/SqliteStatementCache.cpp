#include "storage/SqliteStatementCache.h"

#include <Poco/Data/DataException.h>
#include <Poco/Data/MetaColumn.h>
#include <Poco/Data/SQLite/Binder.h>
#include <Poco/Data/SQLite/Extractor.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/SessionImpl.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/SessionFactory.h>
#include <Poco/Data/StatementImpl.h>

#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace sb::core::sqlite {
namespace {

using Poco::Data::SQLite::Utility;

/// Idle prepared statements of one connection, by SQL text. A statement is
/// taken out while a Poco statement uses it, so two users of one text at
/// once each get their own. Shared by the session and its statements: one
/// that outlives its session finalizes its statement instead of returning it.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache() { close(); }

  /// Finalizes the idle statements; from now on, released ones too. Called
  /// before the connection closes.
  void close() {
    for (auto& [sql, statements] : idle_) {
      for (sqlite3_stmt* statement : statements) sqlite3_finalize(statement);
    }
    idle_.clear();
    idleCount_ = 0;
    closed_ = true;
  }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  sqlite3* db() const { return db_; }

  /// A prepared statement for `sql`, or nullptr when it holds only comments
  /// and whitespace. Throws Poco's SQLite exceptions; refuses a text with a
  /// second statement (each execute runs one).
  sqlite3_stmt* acquire(const std::string& sql) {
    if (auto it = idle_.find(sql); it != idle_.end() && !it->second.empty()) {
      sqlite3_stmt* statement = it->second.back();
      it->second.pop_back();
      --idleCount_;
      return statement;
    }
    if (sql.find_first_not_of(" \t\r\n") == std::string::npos) {
      throw Poco::Data::SQLite::InvalidSQLStatementException("Empty statements are illegal");
    }
    const char* tail = nullptr;
    sqlite3_stmt* statement = prepare(sql.c_str(), &tail);
    if (tail != nullptr && *tail != '\0') {
      const char* rest = nullptr;
      sqlite3_stmt* second = prepare(tail, &rest);
      if (second != nullptr) {
        sqlite3_finalize(second);
        sqlite3_finalize(statement);
        throw Poco::Data::SQLite::InvalidSQLStatementException("one statement per execute: " + sql);
      }
    }
    return statement;
  }

  /// Takes back a statement from acquire(), reset and unbound.
  void release(const std::string& sql, sqlite3_stmt* statement) {
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    if (closed_ || idleCount_ >= kMaxIdle) {
      sqlite3_finalize(statement);
      return;
    }
    idle_[sql].push_back(statement);
    ++idleCount_;
  }

 private:
  /// Enough for every text the repositories use (the call updates by
  /// changed columns included); past it, statements are finalized as before.
  static constexpr size_t kMaxIdle = 512;

  sqlite3_stmt* prepare(const char* text, const char** tail) {
    sqlite3_stmt* statement = nullptr;
    // Comments and whitespace before a statement prepare to nullptr: go on.
    while (true) {
      const int rc = sqlite3_prepare_v3(db_, text, -1, SQLITE_PREPARE_PERSISTENT, &statement, tail);
      if (rc != SQLITE_OK) {
        Utility::throwException(db_, rc);
      }
      if (statement != nullptr || *tail == nullptr || **tail == '\0' || *tail == text) return statement;
      text = *tail;
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;
  size_t idleCount_ = 0;
  bool closed_ = false;
};

/// Poco's SQLite statement semantics (bind, step, extract, affected rows)
/// on a statement from the connection's cache.
class CachedStatementImpl final : public Poco::Data::StatementImpl {
 public:
  CachedStatementImpl(Poco::Data::SessionImpl& session, std::shared_ptr<StatementCache> cache)
      : StatementImpl(session), cache_(std::move(cache)) {}
  ~CachedStatementImpl() override { giveBack(); }
  CachedStatementImpl(const CachedStatementImpl&) = delete;
  CachedStatementImpl& operator=(const CachedStatementImpl&) = delete;

 protected:
  std::size_t columnsReturned() const override { return columns_.size(); }

  int affectedRowCount() const override {
    if (affected_ != kUnknown) return affected_;
    return statement_ == nullptr || sqlite3_stmt_readonly(statement_) != 0 ? 0 : sqlite3_changes(cache_->db());
  }

  const Poco::Data::MetaColumn& metaColumn(std::size_t pos) const override { return columns_.at(pos); }

  bool hasNext() override {
    if (stepped_) return response_ == SQLITE_ROW;
    stepped_ = true;
    if (statement_ == nullptr) {  // comments only
      response_ = SQLITE_DONE;
      return false;
    }
    response_ = sqlite3_step(statement_);
    if (affected_ == kUnknown) affected_ = 0;
    if (sqlite3_stmt_readonly(statement_) == 0) affected_ += sqlite3_changes(cache_->db());
    if (response_ != SQLITE_ROW && response_ != SQLITE_OK && response_ != SQLITE_DONE) {
      Utility::throwException(cache_->db(), response_);
    }
    extractor_->reset();  // its cached null indicators belong to the last row
    return response_ == SQLITE_ROW;
  }

  std::size_t next() override {
    if (response_ == SQLITE_DONE) {
      throw Poco::Data::DataException("No data received");
    }
    if (response_ != SQLITE_ROW) {
      Utility::throwException(cache_->db(), response_, "Iterator Error: trying to access the next value");
    }
    std::size_t pos = 0;  // result columns count from 0
    for (auto& extraction : extractions()) {
      extraction->extract(pos);
      pos += extraction->numOfColumnsHandled();
    }
    stepped_ = false;
    if (affected_ == kUnknown) affected_ = 0;
    if (!extractions().empty()) affected_ += static_cast<int>(extractions().front()->numOfRowsHandled());
    return 1;
  }

  bool canBind() const override { return canBind_; }
  bool canCompile() const override { return false; }  // one statement per text

  void compileImpl() override {
    bindBegin_ = bindings().begin();
    std::string sql = toString();
    giveBack();
    statement_ = cache_->acquire(sql);
    sql_ = std::move(sql);
    affected_ = kUnknown;
    binder_ = new Poco::Data::SQLite::Binder(statement_);
    extractor_ = new Poco::Data::SQLite::Extractor(statement_);
    columns_.clear();
    const int count = statement_ == nullptr ? 0 : sqlite3_column_count(statement_);
    for (int i = 0; i < count; ++i) {
      columns_.emplace_back(static_cast<std::size_t>(i), sqlite3_column_name(statement_, i),
                            Utility::getColumnType(statement_, static_cast<std::size_t>(i)));
    }
  }

  void bindImpl() override {
    stepped_ = false;
    response_ = 0;
    if (statement_ == nullptr) return;
    sqlite3_reset(statement_);
    const auto parameters = static_cast<std::size_t>(sqlite3_bind_parameter_count(statement_));
    auto end = bindings().end();
    if (parameters == 0 || bindBegin_ == end) {
      canBind_ = false;
      return;
    }
    // The bindings that fill this statement's parameters; any more are
    // for the next run (Poco binds a batch as several runs).
    std::size_t available = 0;
    auto fits = bindBegin_;
    for (; fits != end; ++fits) {
      available += (*fits)->numOfColumnsHandled();
      if (available > parameters) break;
    }
    if (fits != end) {
      end = fits;
      canBind_ = true;
    }
    const std::size_t rows = (*bindBegin_)->numOfRowsHandled();
    const auto first = bindBegin_;
    for (std::size_t pos = 1; bindBegin_ != end && (*bindBegin_)->canBind(); ++bindBegin_) {
      if ((*bindBegin_)->numOfRowsHandled() != rows) {
        throw Poco::Data::BindingException("Size mismatch in Bindings. All Bindings MUST have the same size");
      }
      (*bindBegin_)->bind(pos);
      pos += (*bindBegin_)->numOfColumnsHandled();
    }
    if ((*first)->canBind()) {
      bindBegin_ = first;  // a container binding comes back for its next row
      canBind_ = true;
    } else {
      canBind_ = false;
    }
  }

  Poco::Data::AbstractExtraction::ExtractorPtr extractor() override { return extractor_; }
  Poco::Data::AbstractBinding::BinderPtr binder() override { return binder_; }

 private:
  static constexpr int kUnknown = -1;

  void giveBack() {
    if (statement_ != nullptr) {
      cache_->release(sql_, statement_);
      statement_ = nullptr;
    }
  }

  std::shared_ptr<StatementCache> cache_;
  std::string sql_;
  sqlite3_stmt* statement_ = nullptr;
  Poco::SharedPtr<Poco::Data::SQLite::Binder> binder_;
  Poco::SharedPtr<Poco::Data::SQLite::Extractor> extractor_;
  std::vector<Poco::Data::MetaColumn> columns_;
  Poco::Data::AbstractBindingVec::iterator bindBegin_;
  bool stepped_ = false;
  int response_ = 0;
  int affected_ = kUnknown;
  bool canBind_ = false;
};

/// Poco's SQLite session with a statement cache; the cache is destroyed
/// (its statements finalized) before the base class closes the connection.
class CachingSessionImpl final : public Poco::Data::SQLite::SessionImpl {
 public:
  CachingSessionImpl(const std::string& file, std::size_t timeout)
      : SessionImpl(file, timeout),
        cache_(std::make_shared<StatementCache>(Poco::AnyCast<sqlite3*>(getProperty("handle")))) {}
  ~CachingSessionImpl() override { cache_->close(); }
  CachingSessionImpl(const CachingSessionImpl&) = delete;
  CachingSessionImpl& operator=(const CachingSessionImpl&) = delete;

  Poco::SharedPtr<Poco::Data::StatementImpl> createStatementImpl() override {
    return new CachedStatementImpl(*this, cache_);
  }

 private:
  std::shared_ptr<StatementCache> cache_;
};

}  // namespace

Poco::AutoPtr<Poco::Data::SessionImpl> CachingConnector::createSession(const std::string& connectionString,
                                                                       std::size_t timeout) {
  return Poco::AutoPtr<Poco::Data::SessionImpl>(new CachingSessionImpl(connectionString, timeout));
}

void CachingConnector::registerConnector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SessionFactory::instance().add(new CachingConnector); });
}

}  // namespace sb::core::sqlite

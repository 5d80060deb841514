#include "storage/PostgresqlStatementCache.h"

#include <Poco/Data/DataException.h>
#include <Poco/Data/PostgreSQL/Binder.h>
#include <Poco/Data/PostgreSQL/Extractor.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/PostgreSQL/StatementExecutor.h>
#include <Poco/Data/SessionFactory.h>
#include <Poco/Data/StatementImpl.h>

#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace sb::core::postgresql {
namespace {

using Poco::Data::PostgreSQL::StatementExecutor;

// Poco 1.11's StatementExecutor frees its last result before each execute
// but keeps the pointer; when the execute then fails, the pointer dangles
// and the next execute, or the destructor, frees it again (a double free,
// seen as soon as a kept executor met a constraint violation). The member
// is private: it is reached the one way C++ allows, through an explicit
// instantiation (exempt from access checks), to null it after a failure.
PGresult* StatementExecutor::*resultHandleMember();
template <PGresult* StatementExecutor::*Member>
struct ResultHandleAccess {
  friend PGresult* StatementExecutor::*resultHandleMember() { return Member; }
};
template struct ResultHandleAccess<&StatementExecutor::_pResultHandle>;

/// Idle prepared executors of one connection, by SQL text. An executor is
/// taken out while a Poco statement uses it, so two users of one text at
/// once each get their own. Shared by the session and its statements.
class ExecutorCache {
 public:
  explicit ExecutorCache(Poco::Data::PostgreSQL::SessionHandle& handle) : handle_(handle) {}
  ExecutorCache(const ExecutorCache&) = delete;
  ExecutorCache& operator=(const ExecutorCache&) = delete;

  /// Drops the idle executors (their destructors deallocate on the server
  /// while the connection is up); released ones are dropped from now on.
  void close() {
    idle_.clear();
    idleCount_ = 0;
    closed_ = true;
  }

  std::unique_ptr<StatementExecutor> acquire(const std::string& sql) {
    if (auto it = idle_.find(sql); it != idle_.end() && !it->second.empty()) {
      auto executor = std::move(it->second.back());
      it->second.pop_back();
      --idleCount_;
      return executor;
    }
    return std::make_unique<StatementExecutor>(handle_);
  }

  void release(const std::string& sql, std::unique_ptr<StatementExecutor> executor) {
    if (closed_ || executor->state() < StatementExecutor::STMT_COMPILED) {
      return;  // never prepared (its preparation failed): nothing to keep
    }
    if (idleCount_ >= kMaxIdle) {
      idle_.clear();  // a workload of ever new texts; the hot ones come back at once
      idleCount_ = 0;
    }
    idle_[sql].push_back(std::move(executor));
    ++idleCount_;
  }

 private:
  static constexpr std::size_t kMaxIdle = 512;
  Poco::Data::PostgreSQL::SessionHandle& handle_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<StatementExecutor>>> idle_;
  std::size_t idleCount_ = 0;
  bool closed_ = false;
};

/// Poco's PostgreSQLStatementImpl, on a borrowed executor.
class CachedStatementImpl final : public Poco::Data::StatementImpl {
 public:
  CachedStatementImpl(Poco::Data::SessionImpl& session, std::shared_ptr<ExecutorCache> cache)
      : StatementImpl(session), cache_(std::move(cache)), binder_(new Poco::Data::PostgreSQL::Binder) {}
  ~CachedStatementImpl() override { giveBack(); }
  CachedStatementImpl(const CachedStatementImpl&) = delete;
  CachedStatementImpl& operator=(const CachedStatementImpl&) = delete;

 protected:
  std::size_t columnsReturned() const override { return executor_ ? executor_->columnsReturned() : 0; }
  int affectedRowCount() const override { return executor_ ? static_cast<int>(executor_->getAffectedRowCount()) : 0; }
  const Poco::Data::MetaColumn& metaColumn(std::size_t pos) const override { return executor_->metaColumn(pos); }

  bool hasNext() override {
    if (next_ == Next::Unknown) {
      if (columnsReturned() == 0) return false;
      next_ = executor_->fetch() ? Next::Yes : Next::No;
    }
    return next_ == Next::Yes;
  }

  std::size_t next() override {
    if (!hasNext()) throw Poco::Data::DataException("No data received");
    std::size_t pos = 0;
    for (auto& extraction : extractions()) {
      extraction->extract(pos);
      pos += extraction->numOfColumnsHandled();
    }
    next_ = Next::Unknown;
    return 1;
  }

  bool canBind() const override {
    return executor_ && executor_->state() >= StatementExecutor::STMT_COMPILED && !bindings().empty() &&
           (*bindings().begin())->canBind();
  }
  bool canCompile() const override { return !executor_ || executor_->state() < StatementExecutor::STMT_COMPILED; }

  void compileImpl() override {
    std::string sql = toString();
    if (!executor_ || sql != sql_) {
      giveBack();
      executor_ = cache_->acquire(sql);
      sql_ = std::move(sql);
      extractor_ = new Poco::Data::PostgreSQL::Extractor(*executor_);
    }
    if (executor_->state() < StatementExecutor::STMT_COMPILED) {
      executor_->prepare(sql_);  // once per connection and text
    }
  }

  void bindImpl() override {
    std::size_t pos = 0;
    for (auto it = bindings().begin(); it != bindings().end() && (*it)->canBind(); ++it) {
      (*it)->bind(pos);
      pos += (*it)->numOfColumnsHandled();
    }
    binder_->updateBindVectorToCurrentValues();
    executor_->bindParams(binder_->bindVector());
    try {
      executor_->execute();
    } catch (...) {
      (*executor_).*resultHandleMember() = nullptr;  // already freed (above): the executor runs again
      throw;
    }
    next_ = Next::Unknown;
  }

  Poco::Data::AbstractExtractor::Ptr extractor() override { return extractor_; }
  Poco::Data::AbstractBinder::Ptr binder() override { return binder_; }

 private:
  enum class Next { Unknown, Yes, No };

  void giveBack() {
    extractor_ = nullptr;
    if (executor_) cache_->release(sql_, std::move(executor_));
  }

  std::shared_ptr<ExecutorCache> cache_;
  Poco::Data::PostgreSQL::Binder::Ptr binder_;
  Poco::Data::PostgreSQL::Extractor::Ptr extractor_;
  std::unique_ptr<StatementExecutor> executor_;
  std::string sql_;
  Next next_ = Next::Unknown;
};

/// Poco's PostgreSQL session whose statements borrow cached executors. The
/// cache is emptied before the base class closes the connection.
class CachingSessionImpl final : public Poco::Data::PostgreSQL::SessionImpl {
 public:
  CachingSessionImpl(const std::string& connectionString, std::size_t timeout)
      : SessionImpl(connectionString, timeout), cache_(std::make_shared<ExecutorCache>(handle())) {}
  ~CachingSessionImpl() override {
    cache_->close();
    // Deallocating the cached statements is where a connection the server
    // cut is found out, and Poco frees a connection only while it works:
    // made again in place, it can be (else it would leak, LeakSanitizer).
    Poco::Data::PostgreSQL::SessionHandle& connection = handle();
    if (!connection.isConnected() && static_cast<PGconn*>(connection) != nullptr) {
      try {
        if (connection.reset()) connection.disconnect();
      } catch (...) {
        // left as it is: one connection object
      }
    }
  }
  CachingSessionImpl(const CachingSessionImpl&) = delete;
  CachingSessionImpl& operator=(const CachingSessionImpl&) = delete;

  Poco::Data::StatementImpl::Ptr createStatementImpl() override { return new CachedStatementImpl(*this, cache_); }

 private:
  std::shared_ptr<ExecutorCache> cache_;
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

}  // namespace sb::core::postgresql

#pragma once

// Poco::Data's SQLite connector prepares a statement on every execute and
// finalizes it after. On the webhook path that was half of the writer's
// instructions (sqlite3_prepare_v2 alone 31%, measured with callgrind on
// sb_bench_journal): a point query costs less than its preparation. This
// connector ("switchboard-sqlite") is Poco's, with one change: the
// statement implementation takes its sqlite3_stmt from a cache kept per
// connection, keyed by the SQL text, and gives it back reset instead of
// finalizing it. Repositories keep writing plain Poco::Data.

#include <Poco/Data/Connector.h>

#include <string>

namespace sb::core::sqlite {

/// Poco::Data::Connector for Session("switchboard-sqlite", path).
class CachingConnector final : public Poco::Data::Connector {
 public:
  static constexpr const char* kName = "switchboard-sqlite";

  const std::string& name() const override { return name_; }
  Poco::AutoPtr<Poco::Data::SessionImpl> createSession(const std::string& connectionString,
                                                       std::size_t timeout) override;

  /// Registers the connector with Poco's SessionFactory (idempotent).
  static void registerConnector();

 private:
  std::string name_ = kName;
};

}  // namespace sb::core::sqlite

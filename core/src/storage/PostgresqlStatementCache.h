#pragma once

// Poco::Data's PostgreSQL connector prepares every statement it creates
// (PQprepare under a new UUID name, PQdescribePrepared) and deallocates it
// when the statement goes: four round trips to the server for one
// statement, plus the UUID and a regular expression per prepare (measured:
// the journal at 914-976 events/s, docs/BENCHMARKS.md). This connector
// ("switchboard-postgresql") is Poco's, with one change: the statement
// implementation borrows a prepared StatementExecutor from a cache kept per
// connection, keyed by the SQL text, and gives it back instead of
// deallocating it; a prepared executor runs again with one round trip.
// Repositories keep writing plain Poco::Data.

#include <Poco/Data/Connector.h>

#include <string>

namespace sb::core::postgresql {

/// Poco::Data::Connector for Session("switchboard-postgresql", "key=value ...").
class CachingConnector final : public Poco::Data::Connector {
 public:
  static constexpr const char* kName = "switchboard-postgresql";

  const std::string& name() const override { return name_; }
  Poco::AutoPtr<Poco::Data::SessionImpl> createSession(const std::string& connectionString,
                                                       std::size_t timeout) override;

  /// Registers the connector with Poco's SessionFactory (idempotent).
  static void registerConnector();

 private:
  std::string name_ = kName;
};

}  // namespace sb::core::postgresql

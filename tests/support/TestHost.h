#pragma once

#include "support/TempDir.h"
#include "support/TestDatabase.h"

#include "app/HostContext.h"
#include "http/ApiServer.h"

#include <map>
#include <memory>
#include <string>

namespace sb::test {

/// The whole host on 127.0.0.1 with a fresh database in a temp folder, the
/// sim provider, every route, and an admin and an agent key: what
/// `switchboard serve` runs, in-process.
class TestHost {
 public:
  /// `overrides` are config keys on top of the defaults.
  explicit TestHost(const std::map<std::string, std::string>& overrides = {});
  ~TestHost();

  uint16_t port() const;
  /// The database this host opened (a SQLite path or a PostgreSQL URL): a
  /// second host given it as `database.url` shares it.
  const std::string& databaseTarget() const noexcept { return database_.target(); }
  host::HostContext& context() { return *context_; }

  std::string adminKey;
  std::string agentKey;

 private:
  TempDir dir_;
  TestDatabase database_{dir_, "test.db"};
  std::unique_ptr<host::HostContext> context_;
  std::unique_ptr<host::ApiServer> server_;
};

}  // namespace sb::test

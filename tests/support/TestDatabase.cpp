#include "support/TestDatabase.h"

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>

#include <unistd.h>

namespace sb::test {
namespace {

/// The test server's admin URL: SB_TEST_POSTGRES_URL, or the first line of
/// the file SB_TEST_POSTGRES_URL_FILE names (written by the ctest fixture).
std::string adminUrl() {
  if (const char* url = std::getenv("SB_TEST_POSTGRES_URL"); url != nullptr && *url != '\0') {
    return url;
  }
  const char* file = std::getenv("SB_TEST_POSTGRES_URL_FILE");
  std::string url;
  if (file != nullptr) {
    std::ifstream in(file);
    std::getline(in, url);
  }
  if (url.empty()) {
    throw std::runtime_error(
        "PostgreSQL pass without a server: run it through ctest (its postgres.start fixture starts one), or set "
        "SB_TEST_POSTGRES_URL to an admin URL");
  }
  return url;
}

/// `url` with its database name replaced by `name`.
std::string withDatabase(const std::string& url, const std::string& name) {
  const size_t slash = url.find('/', url.find("//") + 2);
  const size_t query = url.find('?', slash);
  return url.substr(0, slash) + "/" + name + (query == std::string::npos ? "" : url.substr(query));
}

}  // namespace

bool onPostgresql() {
  for (const char* name : {"SB_TEST_POSTGRES_URL", "SB_TEST_POSTGRES_URL_FILE"}) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return true;
  }
  return false;
}

void adminExec(const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> connection(PQconnectdb(adminUrl().c_str()), &PQfinish);
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    throw std::runtime_error(std::string("test PostgreSQL server: ") + PQerrorMessage(connection.get()));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection.get(), sql.c_str()), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("test PostgreSQL server: " + sql + ": " + PQresultErrorMessage(result.get()));
  }
}

TestDatabase::TestDatabase(const TempDir& dir, const std::string& name) {
  if (!onPostgresql()) {
    target_ = (dir / name).string();
    return;
  }
  // Unique across the test processes ctest runs side by side.
  static std::atomic<int> counter{0};
  std::random_device random;
  postgresqlName_ =
      "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(random() % 100000);
  // FILE_COPY: copies the template's files instead of logging every page
  // (the throwaway server runs without fsync, so this is the cheap way).
  adminExec("CREATE DATABASE " + postgresqlName_ + " STRATEGY = FILE_COPY");
  target_ = withDatabase(adminUrl(), postgresqlName_);
}

TestDatabase::~TestDatabase() {
  if (postgresqlName_.empty()) return;
  try {
    adminExec("DROP DATABASE IF EXISTS " + postgresqlName_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The throwaway server goes with the run.
  }
}

}  // namespace sb::test

#include "storage/Postgresql.h"

#include <Poco/Data/DataException.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionHandle.h>
#include <Poco/Exception.h>
#include <libpq-fe.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace sb::core::postgresql {
namespace {

/// How long a connection attempt may take (seconds), unless the URL says.
constexpr const char* kConnectTimeoutSeconds = "10";

PGconn* handleOf(Poco::Data::Session& session) {
  auto* handle = Poco::AnyCast<Poco::Data::PostgreSQL::SessionHandle*>(session.getProperty("handle"));
  return static_cast<PGconn*>(*handle);
}

}  // namespace

bool isUrl(const std::string& target) {
  return target.rfind("postgresql://", 0) == 0 || target.rfind("postgres://", 0) == 0;
}

ConnectionTarget parseUrl(const std::string& url) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(url.c_str(), &error),
                                                                       &PQconninfoFree);
  if (!options) {
    std::string reason = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    // libpq's messages quote the part it could not read, never the password.
    throw std::runtime_error("database.url is not a PostgreSQL URL libpq can read: " + reason);
  }
  ConnectionTarget target;
  std::string display = "postgresql://";
  std::string user;
  std::string host;
  std::string port;
  std::string dbname;
  bool hasTimeout = false;
  bool hasPassword = false;
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr || *option->val == '\0') continue;
    const std::string keyword = option->keyword;
    const std::string value = option->val;
    // Poco's connector splits its connection string at spaces and quotes
    // nothing, so a value with a space cannot reach libpq intact.
    if (value.find_first_of(" \t\n'\\") != std::string::npos) {
      throw std::runtime_error("database.url: the value of '" + keyword +
                               "' has a space, quote or backslash, which the PostgreSQL connector cannot pass on; "
                               "choose one without (for a password, change it)");
    }
    target.connectionString += (target.connectionString.empty() ? "" : " ") + keyword + "=" + value;
    if (keyword == "user") user = value;
    if (keyword == "host") host = value;
    if (keyword == "port") port = value;
    if (keyword == "dbname") dbname = value;
    if (keyword == "connect_timeout") hasTimeout = true;
    if (keyword == "password") hasPassword = true;
  }
  if (!hasTimeout) {
    target.connectionString +=
        std::string(target.connectionString.empty() ? "" : " ") + "connect_timeout=" + kConnectTimeoutSeconds;
  }
  if (!user.empty()) display += user + (hasPassword ? ":***@" : "@");
  display += host + (port.empty() ? "" : ":" + port) + "/" + dbname;
  target.displayName = display;
  return target;
}

Poco::Data::Session open(const ConnectionTarget& target) {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
  try {
    Poco::Data::Session session(Poco::Data::PostgreSQL::Connector::KEY, target.connectionString);
    // libpq prints the server's notices ("relation already exists,
    // skipping") to stderr: they are not for the host's operator.
    PQsetNoticeProcessor(
        handleOf(session), [](void*, const char*) {}, nullptr);
    return session;
  } catch (const Poco::Exception& e) {
    std::string reason = e.displayText();
    // libpq's message may repeat the connection string: never show its password.
    for (size_t at = reason.find("password="); at != std::string::npos; at = reason.find("password=", at + 1)) {
      const size_t end = reason.find_first_of(" \n", at);
      reason.replace(at, (end == std::string::npos ? reason.size() : end) - at, "password=***");
    }
    throw std::runtime_error("cannot open database '" + target.displayName + "': " + reason);
  }
}

void execScript(Poco::Data::Session& session, const std::string& sql) {
  PGconn* connection = handleOf(session);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection, sql.c_str()), &PQclear);
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    throw Poco::Data::DataException(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(connection));
  }
}

}  // namespace sb::core::postgresql

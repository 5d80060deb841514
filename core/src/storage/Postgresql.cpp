#include "storage/Postgresql.h"
#include "storage/PostgresqlStatementCache.h"

#include <Poco/Data/DataException.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionHandle.h>
#include <Poco/Exception.h>
#include <libpq-fe.h>

#include <switchboard/core/log/Logging.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <poll.h>

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
  std::call_once(once, [] { CachingConnector::registerConnector(); });
  // Poco's connector leaks libpq's connection object when the connection
  // fails (about 35 KiB each: measured by LeakSanitizer), and a host whose
  // database is away tries again on every request. So a failure is found
  // out here first, on a connection of our own.
  {
    std::unique_ptr<PGconn, decltype(&PQfinish)> probe(PQconnectdb(target.connectionString.c_str()), &PQfinish);
    if (PQstatus(probe.get()) != CONNECTION_OK) {
      std::string reason = PQerrorMessage(probe.get());
      while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
      throw std::runtime_error("cannot open database '" + target.displayName + "': " + reason);
    }
  }
  try {
    Poco::Data::Session session(CachingConnector::kName, target.connectionString);
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

void retire(Poco::Data::Session& session) noexcept {
  // Poco frees a connection only while it works (its disconnect checks the
  // status first): made again in place, it can be closed, and the statements
  // that still refer to it then fail as "not connected" instead of reaching
  // freed memory.
  try {
    auto* handle = Poco::AnyCast<Poco::Data::PostgreSQL::SessionHandle*>(session.getProperty("handle"));
    if (handle->reset()) {
      session.close();
    }
  } catch (const Poco::Exception&) {
    // Left as it is: one connection object, for the rest of the run.
  }
}

bool isBroken(Poco::Data::Session& session) {
  PGconn* connection = handleOf(session);
  return connection == nullptr || PQstatus(connection) != CONNECTION_OK;
}

void execScript(Poco::Data::Session& session, const std::string& sql) {
  PGconn* connection = handleOf(session);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection, sql.c_str()), &PQclear);
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    throw Poco::Data::DataException(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(connection));
  }
}

void copyIn(Poco::Data::Session& session, const std::string& target, std::string_view rows) {
  PGconn* connection = handleOf(session);
  const std::string command = "COPY " + target + " FROM STDIN";
  std::unique_ptr<PGresult, decltype(&PQclear)> started(PQexec(connection, command.c_str()), &PQclear);
  if (!started || PQresultStatus(started.get()) != PGRES_COPY_IN) {
    throw Poco::Data::DataException(started ? PQresultErrorMessage(started.get()) : PQerrorMessage(connection));
  }
  // Sent in pieces: libpq buffers what it is given, and a piece at a time
  // keeps that buffer small.
  constexpr size_t kPiece = 1 << 20;
  bool sent = true;
  for (size_t at = 0; at < rows.size() && sent; at += kPiece) {
    const size_t length = std::min(kPiece, rows.size() - at);
    sent = PQputCopyData(connection, rows.data() + at, static_cast<int>(length)) == 1;
  }
  std::string problem = sent ? "" : PQerrorMessage(connection);
  if (PQputCopyEnd(connection, sent ? nullptr : "the client could not send its rows") != 1 && problem.empty()) {
    problem = PQerrorMessage(connection);
  }
  // Every result of the COPY must be read before the connection is used again.
  while (PGresult* result = PQgetResult(connection)) {
    if (PQresultStatus(result) != PGRES_COMMAND_OK && problem.empty()) {
      problem = PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  if (!problem.empty()) {
    throw Poco::Data::DataException(problem);
  }
}

void appendCopyText(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

namespace {

class Listener final : public DatabaseListener {
 public:
  Listener(ConnectionTarget target, std::string channel) : target_(std::move(target)), channel_(std::move(channel)) {
    if (!connect()) {
      throw std::runtime_error("cannot listen on database '" + target_.displayName + "': " + lastError_);
    }
  }
  ~Listener() override { PQfinish(connection_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  bool wait(std::chrono::milliseconds timeout) override {
    if (connection_ == nullptr || PQstatus(connection_) != CONNECTION_OK) {
      // Lost: try again, at most once per wait (the caller's timeout paces it).
      if (connect()) {
        logger("storage")->info("listening on database '{}' again", target_.displayName);
        return true;
      }
      std::this_thread::sleep_for(timeout);
      return false;
    }
    if (drain()) return true;
    pollfd descriptor{PQsocket(connection_), POLLIN, 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) return false;
    if (PQconsumeInput(connection_) == 0 || PQstatus(connection_) != CONNECTION_OK) {
      logger("storage")->warn("lost the notification connection to database '{}': {}", target_.displayName,
                              PQerrorMessage(connection_));
      PQfinish(connection_);
      connection_ = nullptr;
      return false;
    }
    return drain();
  }

 private:
  bool connect() {
    PQfinish(connection_);
    connection_ = PQconnectdb(target_.connectionString.c_str());
    if (PQstatus(connection_) != CONNECTION_OK) {
      lastError_ = PQerrorMessage(connection_);
      PQfinish(connection_);
      connection_ = nullptr;
      return false;
    }
    PQsetNoticeProcessor(
        connection_, [](void*, const char*) {}, nullptr);
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection_, ("LISTEN " + channel_).c_str()), &PQclear);
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      lastError_ = PQresultErrorMessage(result.get());
      PQfinish(connection_);
      connection_ = nullptr;
      return false;
    }
    return true;
  }

  /// Takes every notification already received; true if there was one.
  bool drain() {
    bool any = false;
    while (PGnotify* notify = PQnotifies(connection_)) {
      any = true;
      PQfreemem(notify);
    }
    return any;
  }

  ConnectionTarget target_;
  std::string channel_;
  PGconn* connection_ = nullptr;
  std::string lastError_;
};

}  // namespace

std::unique_ptr<DatabaseListener> listen(const ConnectionTarget& target, const std::string& channel) {
  return std::make_unique<Listener>(target, channel);
}

}  // namespace sb::core::postgresql

#pragma once

// What the PostgreSQL backend needs beyond Poco::Data: reading a
// postgresql:// URL into the connection string Poco's connector takes, and
// running a migration's many statements at once (Poco prepares one
// statement per execute).

#include <switchboard/core/storage/DatabaseListener.h>

#include <Poco/Data/Session.h>

#include <memory>
#include <string>
#include <string_view>

namespace sb::core::postgresql {

/// True for "postgresql://..." and "postgres://...".
bool isUrl(const std::string& target);

struct ConnectionTarget {
  /// libpq's "key=value key=value" form: the only one Poco's connector reads.
  std::string connectionString;
  /// The URL with its password masked, for logs and errors.
  std::string displayName;
};

/// Parses a URL with libpq's own parser (every parameter libpq knows:
/// host, port, dbname, user, password, sslmode, ...). Throws
/// std::runtime_error saying what is wrong, without the password.
ConnectionTarget parseUrl(const std::string& url);

/// A new connection. Throws std::runtime_error naming `displayName`.
Poco::Data::Session open(const ConnectionTarget& target);

/// True when the session's connection is known to be broken (libpq learns
/// of a break when an operation on it fails).
bool isBroken(Poco::Data::Session& session);

/// Frees a broken session's connection (Poco leaves a broken one unfreed);
/// the session stays valid for the statements that refer to it.
void retire(Poco::Data::Session& session) noexcept;

/// Runs `sql` (any number of statements, comments allowed) on `session`'s
/// connection in one round trip. Throws Poco::Data::DataException with the
/// server's message.
void execScript(Poco::Data::Session& session, const std::string& sql);

/// Streams `rows` (PostgreSQL's COPY text format: tab-separated, one row a
/// line, backslash escapes) into the table and columns of `target`
/// ("contacts (list_id, name, ...)") on `session`'s connection, inside its
/// transaction: one COPY, where Poco's connector would run a bound INSERT
/// per row. Throws Poco::Data::DataException with the server's message.
void copyIn(Poco::Data::Session& session, const std::string& target, std::string_view rows);

/// Appends `text` to `out` escaped for COPY's text format.
void appendCopyText(std::string& out, std::string_view text);

/// LISTEN `channel` on a libpq connection of its own (Poco::Data has no
/// asynchronous notifications), made again after a loss.
std::unique_ptr<DatabaseListener> listen(const ConnectionTarget& target, const std::string& channel);

}  // namespace sb::core::postgresql

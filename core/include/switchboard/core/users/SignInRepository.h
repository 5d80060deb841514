#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sb::core {

/// A signed-in person's session. Times are Unix ms.
struct SessionRecord {
  std::string idHash;  ///< hex SHA-256 of the cookie's id
  std::string userId;
  int64_t createdAt = 0;
  int64_t lastSeenAt = 0;
  int64_t expiresAt = 0;  ///< the absolute end
};

/// Failed sign-ins of one subject (an account or a client address).
struct SignInFailures {
  int64_t failures = 0;
  int64_t lastFailedAt = 0;
};

/// Sessions and failed sign-ins, in the database so that every host sees
/// them. Implementations: SqlSignInRepository.
class SignInRepository {
 public:
  virtual ~SignInRepository() = default;
  virtual void insertSession(const SessionRecord& session) = 0;
  virtual std::optional<SessionRecord> findSession(const std::string& idHash) = 0;
  virtual void touchSession(const std::string& idHash, int64_t at) = 0;
  virtual void deleteSession(const std::string& idHash) = 0;
  /// Ends every session of a user (disabled, password changed).
  virtual void deleteSessionsOf(const std::string& userId) = 0;
  /// Deletes sessions past `expiredBefore` or idle since `idleBefore`.
  virtual void purgeSessions(int64_t expiredBefore, int64_t idleBefore) = 0;

  virtual SignInFailures failures(const std::string& subject) = 0;
  /// Counts a failure at `at`; a count whose last failure is older than
  /// `forgetAfterMs` starts over at one. Returns the new count.
  virtual SignInFailures addFailure(const std::string& subject, int64_t at, int64_t forgetAfterMs) = 0;
  virtual void clearFailures(const std::string& subject) = 0;
};

}  // namespace sb::core

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::core {

/// A person who signs in. Times are Unix ms.
struct UserRecord {
  std::string id;        ///< "usr_" + 16 hex digits
  std::string email;     ///< as given
  std::string emailKey;  ///< the email lower-cased: unique
  std::string displayName;
  std::string role;          ///< roleName(): agent, supervisor or admin
  std::string passwordHash;  ///< passwords::hash()
  bool disabled = false;
  int64_t createdAt = 0;
  int64_t updatedAt = 0;
  std::optional<int64_t> lastSignInAt;
};

/// Where people live. Implementations: SqlUserRepository.
class UserRepository {
 public:
  virtual ~UserRepository() = default;
  /// Throws DomainError(Conflict) when the email is taken (any case).
  virtual void insert(const UserRecord& user) = 0;
  virtual std::optional<UserRecord> findByEmailKey(const std::string& emailKey) = 0;
  virtual std::optional<UserRecord> findById(const std::string& id) = 0;
  /// Everyone, by email.
  virtual std::vector<UserRecord> list() = 0;
  /// Writes role, display name, password hash, disabled and updatedAt of
  /// `user` (found by id); false when there is no such user.
  virtual bool update(const UserRecord& user) = 0;
  virtual void recordSignIn(const std::string& id, int64_t at) = 0;
};

}  // namespace sb::core

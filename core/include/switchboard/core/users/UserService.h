#pragma once

#include <switchboard/core/auth/Role.h>
#include <switchboard/core/users/UserRepository.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::core {

struct NewUser {
  std::string email;
  std::string displayName;
  Role role = Role::Agent;
  std::string password;
};

/// People: created, listed, disabled and enabled, given a role or a new
/// password, and checked at sign-in. Every input is validated here (a
/// DomainError naming the field); passwords are hashed with argon2id
/// (users/Passwords.h) and never kept or logged in the clear. The last
/// enabled admin can be neither disabled nor demoted, so that someone can
/// always manage the rest.
/// THREADING: thread-safe (the repository is).
class UserService {
 public:
  using Clock = std::function<int64_t()>;  ///< Unix ms

  explicit UserService(UserRepository& repository, Clock clock = {});

  UserRecord create(const NewUser& user);
  std::vector<UserRecord> list();
  /// By email (any case) or id; throws DomainError(NotFound).
  UserRecord find(const std::string& emailOrId);
  UserRecord setDisabled(const std::string& emailOrId, bool disabled);
  UserRecord setRole(const std::string& emailOrId, Role role);
  UserRecord resetPassword(const std::string& emailOrId, const std::string& password);

  /// The enabled user with this email and password, else nullopt: an
  /// unknown email, a wrong password and a disabled user look alike and
  /// take the same time (one password check each).
  std::optional<UserRecord> authenticate(std::string_view email, std::string_view password);

  /// The email as stored for uniqueness: lower-cased.
  static std::string emailKey(std::string_view email);
  static constexpr size_t kMaxEmailBytes = 254;
  static constexpr size_t kMaxNameBytes = 100;

 private:
  /// Refuses a change that would leave no enabled admin.
  void keepAnAdmin(const UserRecord& before, const UserRecord& after);

  UserRepository& repository_;
  Clock clock_;
};

}  // namespace sb::core

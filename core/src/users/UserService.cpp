#include <switchboard/core/users/UserService.h>

#include <switchboard/core/DomainError.h>
#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/core/text/Time.h>
#include <switchboard/core/text/Utf8.h>
#include <switchboard/core/users/Passwords.h>

#include <algorithm>
#include <chrono>

namespace sb::core {
namespace {

DomainError invalid(const std::string& field, const std::string& message) {
  return DomainError(DomainError::Kind::Validation, message, {{"field", field}});
}

bool hasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

void checkEmail(std::string_view email) {
  if (email.empty() || email.size() > UserService::kMaxEmailBytes) {
    throw invalid("email", "an email address has 3 to " + std::to_string(UserService::kMaxEmailBytes) + " characters");
  }
  const size_t at = email.find('@');
  const bool shaped = at != std::string_view::npos && at > 0 && at <= 64 &&
                      email.find('@', at + 1) == std::string_view::npos &&
                      email.find('.', at + 2) != std::string_view::npos && email.back() != '.';
  if (!shaped || !isValidUtf8(email) || hasControl(email) || email.find(' ') != std::string_view::npos) {
    throw invalid("email",
                  "'" + sanitizeUtf8(truncateUtf8(email, 80)) + "' is not an email address (name@example.com)");
  }
}

void checkName(std::string_view name) {
  if (name.empty() || name.size() > UserService::kMaxNameBytes || !isValidUtf8(name) || hasControl(name)) {
    throw invalid("name", "a name has 1 to " + std::to_string(UserService::kMaxNameBytes) +
                              " bytes of text, without control characters");
  }
}

void checkPassword(std::string_view password, std::string_view email) {
  if (auto problem = passwords::problem(password, email)) {
    throw invalid("password", *problem);
  }
}

}  // namespace

UserService::UserService(UserRepository& repository, Clock clock) : repository_(repository), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = unixNowMs;
  }
}

std::string UserService::emailKey(std::string_view email) {
  std::string key(email);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c); });
  return key;
}

UserRecord UserService::create(const NewUser& user) {
  checkEmail(user.email);
  checkName(user.displayName);
  checkPassword(user.password, user.email);
  UserRecord record;
  record.id = "usr_" + crypto::toHex(crypto::randomBytes(8));
  record.email = user.email;
  record.emailKey = emailKey(user.email);
  record.displayName = user.displayName;
  record.role = roleName(user.role);
  record.passwordHash = passwords::hash(user.password);
  record.createdAt = record.updatedAt = clock_();
  repository_.insert(record);
  return record;
}

std::vector<UserRecord> UserService::list() {
  return repository_.list();
}

UserRecord UserService::find(const std::string& emailOrId) {
  auto user = emailOrId.rfind("usr_", 0) == 0 ? repository_.findById(emailOrId) : std::nullopt;
  if (!user) {
    user = repository_.findByEmailKey(emailKey(emailOrId));
  }
  if (!user) {
    throw DomainError(DomainError::Kind::NotFound,
                      "no user with email or id '" + sanitizeUtf8(truncateUtf8(emailOrId, 80)) + "'");
  }
  return *user;
}

void UserService::keepAnAdmin(const UserRecord& before, const UserRecord& after) {
  const bool wasAdmin = before.role == "admin" && !before.disabled;
  const bool isAdmin = after.role == "admin" && !after.disabled;
  if (!wasAdmin || isAdmin) {
    return;
  }
  const auto everyone = repository_.list();
  const auto admins = std::count_if(everyone.begin(), everyone.end(), [&](const UserRecord& u) {
    return u.role == "admin" && !u.disabled && u.id != before.id;
  });
  if (admins == 0) {
    throw DomainError(DomainError::Kind::Conflict,
                      "'" + before.email + "' is the last enabled admin; make another admin first");
  }
}

UserRecord UserService::setDisabled(const std::string& emailOrId, bool disabled) {
  const UserRecord before = find(emailOrId);
  UserRecord after = before;
  after.disabled = disabled;
  keepAnAdmin(before, after);
  after.updatedAt = clock_();
  repository_.update(after);
  return after;
}

UserRecord UserService::setRole(const std::string& emailOrId, Role role) {
  const UserRecord before = find(emailOrId);
  UserRecord after = before;
  after.role = roleName(role);
  keepAnAdmin(before, after);
  after.updatedAt = clock_();
  repository_.update(after);
  return after;
}

UserRecord UserService::resetPassword(const std::string& emailOrId, const std::string& password) {
  UserRecord user = find(emailOrId);
  checkPassword(password, user.email);
  user.passwordHash = passwords::hash(password);
  user.updatedAt = clock_();
  repository_.update(user);
  return user;
}

std::optional<UserRecord> UserService::authenticate(std::string_view email, std::string_view password) {
  if (email.size() > kMaxEmailBytes || password.size() > passwords::kMaxBytes) {
    return std::nullopt;  // bounded before any work
  }
  const auto user = repository_.findByEmailKey(emailKey(email));
  if (!user) {
    passwords::spendVerifyTime(password);
    return std::nullopt;
  }
  if (!passwords::verify(user->passwordHash, password) || user->disabled) {
    return std::nullopt;
  }
  const int64_t at = clock_();
  repository_.recordSignIn(user->id, at);
  UserRecord signedIn = *user;
  signedIn.lastSignInAt = at;
  return signedIn;
}

}  // namespace sb::core

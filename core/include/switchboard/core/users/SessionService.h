#pragma once

#include <switchboard/core/users/SignInRepository.h>
#include <switchboard/core/users/UserService.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::core {

struct SessionOptions {
  std::chrono::seconds idle{8 * 3600};       ///< a session unused this long ends
  std::chrono::seconds absolute{12 * 3600};  ///< and every session ends this long after sign-in
  /// Failed sign-ins allowed per account, then each try waits twice as
  /// long as the one before (1 s, 2 s, 4 s, ... up to maxWait).
  int64_t freeFailuresPerAccount = 5;
  /// The same per client address: higher, since an office shares one.
  int64_t freeFailuresPerAddress = 20;
  std::chrono::seconds maxWait{15 * 60};
  /// Failures are forgotten this long after the last one.
  std::chrono::seconds forgetFailuresAfter{3600};
};

/// A sign-in refused for now: too many failures for the account or the
/// address. The same for an unknown email as for a known one.
class SignInThrottled : public std::runtime_error {
 public:
  explicit SignInThrottled(int64_t retryAfterS)
      : std::runtime_error("too many failed sign-ins; try again in " + std::to_string(retryAfterS) + " s"),
        retryAfterS_(retryAfterS) {}
  int64_t retryAfterS() const noexcept { return retryAfterS_; }

 private:
  int64_t retryAfterS_;
};

struct OpenedSession {
  std::string token;  ///< the cookie's value: shown to the browser once, stored hashed
  UserRecord user;
  int64_t expiresAt = 0;
};

/// Sign-in with email and password, the sessions that follow, sign-out.
/// A session id is 256 random bits, new at every sign-in (a session id an
/// attacker planted before is never adopted) and stored as its SHA-256, so
/// any host can check it and a copy of the database opens none. Failed
/// sign-ins are counted in the database per account and per address, so
/// the back-off holds across hosts.
/// THREADING: thread-safe.
class SessionService {
 public:
  using Clock = std::function<int64_t()>;  ///< Unix ms

  SessionService(SignInRepository& repository, UserRepository& users, UserService& userService, SessionOptions options,
                 Clock clock = {});

  /// A new session, or nullopt for a wrong email, password or a disabled
  /// user (one answer for all). Throws SignInThrottled before any password
  /// check while the account or the address must wait.
  std::optional<OpenedSession> signIn(std::string_view email, std::string_view password,
                                      const std::string& clientAddress);
  /// The enabled user a token belongs to while its session lives.
  std::optional<UserRecord> check(std::string_view token);
  /// Ends the token's session (nothing when there is none).
  void signOut(std::string_view token);
  /// Ends every session of a user (after disabling them or a new password).
  void endSessionsOf(const std::string& userId);

  const SessionOptions& options() const noexcept { return options_; }

 private:
  int64_t waitFor(const std::string& subject, int64_t freeFailures, int64_t now);
  static std::string hashToken(std::string_view token);

  SignInRepository& repository_;
  UserRepository& users_;
  UserService& userService_;
  SessionOptions options_;
  Clock clock_;
  std::atomic<int64_t> nextPurge_{0};
};

}  // namespace sb::core

#include <switchboard/core/users/SessionService.h>

#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/text/Time.h>

#include <algorithm>

namespace sb::core {
namespace {

constexpr size_t kTokenBytes = 32;            // 256 bits
constexpr int64_t kTouchEveryMs = 60'000;     // last_seen_at is written at most once a minute per session
constexpr int64_t kPurgeEveryMs = 3'600'000;  // dead sessions are deleted at most once an hour

int64_t ms(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(s).count();
}

}  // namespace

SessionService::SessionService(SignInRepository& repository, UserRepository& users, UserService& userService,
                               SessionOptions options, Clock clock)
    : repository_(repository), users_(users), userService_(userService), options_(options), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = unixNowMs;
  }
}

std::string SessionService::hashToken(std::string_view token) {
  return crypto::toHex(crypto::digest("sha256", token));
}

int64_t SessionService::waitFor(const std::string& subject, int64_t freeFailures, int64_t now) {
  const SignInFailures seen = repository_.failures(subject);
  if (seen.failures < freeFailures || now - seen.lastFailedAt > ms(options_.forgetFailuresAfter)) {
    return 0;
  }
  // 1 s after the first failure past the free ones, then twice as long each time.
  const int64_t doublings = std::min<int64_t>(seen.failures - freeFailures, 30);
  const int64_t waitMs = std::min<int64_t>(int64_t{1000} << doublings, ms(options_.maxWait));
  const int64_t left = seen.lastFailedAt + waitMs - now;
  return left > 0 ? (left + 999) / 1000 : 0;
}

std::optional<OpenedSession> SessionService::signIn(std::string_view email, std::string_view password,
                                                    const std::string& clientAddress) {
  const int64_t now = clock_();
  const std::string account = "email:" + UserService::emailKey(email.substr(0, UserService::kMaxEmailBytes));
  const std::string address = "address:" + clientAddress;
  const int64_t wait = std::max(waitFor(account, options_.freeFailuresPerAccount, now),
                                waitFor(address, options_.freeFailuresPerAddress, now));
  if (wait > 0) {
    throw SignInThrottled(wait);
  }
  const auto user = userService_.authenticate(email, password);
  if (!user) {
    const int64_t forget = ms(options_.forgetFailuresAfter);
    repository_.addFailure(account, now, forget);
    repository_.addFailure(address, now, forget);
    return std::nullopt;
  }
  repository_.clearFailures(account);
  OpenedSession opened;
  opened.token = crypto::toHex(crypto::randomBytes(kTokenBytes));
  opened.user = *user;
  opened.expiresAt = now + ms(options_.absolute);
  repository_.insertSession({hashToken(opened.token), user->id, now, now, opened.expiresAt});
  if (now >= nextPurge_.exchange(now + kPurgeEveryMs)) {
    try {
      repository_.purgeSessions(now, now - ms(options_.idle));
    } catch (const std::exception& e) {
      logger("auth")->warn("could not delete ended sessions: {}", e.what());
    }
  }
  return opened;
}

std::optional<UserRecord> SessionService::check(std::string_view token) {
  if (token.size() != kTokenBytes * 2) {
    return std::nullopt;  // not one of ours: no lookup
  }
  const std::string idHash = hashToken(token);
  const auto session = repository_.findSession(idHash);
  const int64_t now = clock_();
  if (!session || now >= session->expiresAt || now - session->lastSeenAt >= ms(options_.idle)) {
    return std::nullopt;
  }
  auto user = users_.findById(session->userId);
  if (!user || user->disabled) {
    return std::nullopt;
  }
  if (now - session->lastSeenAt >= kTouchEveryMs) {
    repository_.touchSession(idHash, now);
  }
  return user;
}

void SessionService::signOut(std::string_view token) {
  if (token.size() == kTokenBytes * 2) {
    repository_.deleteSession(hashToken(token));
  }
}

void SessionService::endSessionsOf(const std::string& userId) {
  repository_.deleteSessionsOf(userId);
}

}  // namespace sb::core

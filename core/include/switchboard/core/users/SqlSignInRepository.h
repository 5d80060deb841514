#pragma once

#include <switchboard/core/storage/Database.h>
#include <switchboard/core/users/SignInRepository.h>

namespace sb::core {

/// SignInRepository on the database (tables `sessions`, `sign_in_failures`).
class SqlSignInRepository final : public SignInRepository {
 public:
  explicit SqlSignInRepository(Database& database) : database_(database) {}

  void insertSession(const SessionRecord& session) override;
  std::optional<SessionRecord> findSession(const std::string& idHash) override;
  void touchSession(const std::string& idHash, int64_t at) override;
  void deleteSession(const std::string& idHash) override;
  void deleteSessionsOf(const std::string& userId) override;
  void purgeSessions(int64_t expiredBefore, int64_t idleBefore) override;

  SignInFailures failures(const std::string& subject) override;
  SignInFailures addFailure(const std::string& subject, int64_t at, int64_t forgetAfterMs) override;
  void clearFailures(const std::string& subject) override;

 private:
  Database& database_;
};

}  // namespace sb::core

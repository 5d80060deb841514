#pragma once

#include <switchboard/core/storage/Database.h>
#include <switchboard/core/users/UserRepository.h>

namespace sb::core {

/// UserRepository on the database (table `users`, both backends).
class SqlUserRepository final : public UserRepository {
 public:
  explicit SqlUserRepository(Database& database) : database_(database) {}

  void insert(const UserRecord& user) override;
  std::optional<UserRecord> findByEmailKey(const std::string& emailKey) override;
  std::optional<UserRecord> findById(const std::string& id) override;
  std::vector<UserRecord> list() override;
  bool update(const UserRecord& user) override;
  void recordSignIn(const std::string& id, int64_t at) override;

 private:
  std::optional<UserRecord> findOne(const std::string& column, const std::string& value);

  Database& database_;
};

}  // namespace sb::core

#pragma once

#include <switchboard/core/storage/ApiKeyRepository.h>
#include <switchboard/core/storage/Database.h>

namespace sb::core {

class SqliteApiKeyRepository final : public ApiKeyRepository {
 public:
  explicit SqliteApiKeyRepository(Database& database) : database_(database) {}

  void insert(const ApiKeyRecord& record) override;
  std::optional<ApiKeyRecord> findByHash(const std::string& keyHash) override;
  std::vector<ApiKeyRecord> list() override;
  bool revoke(const std::string& idOrPrefix, int64_t at) override;

 private:
  Database& database_;
};

}  // namespace sb::core

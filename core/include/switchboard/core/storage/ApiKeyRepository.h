#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::core {

struct ApiKeyRecord {
  std::string id;
  std::string name;
  std::string role;     ///< "admin" or "agent"
  std::string prefix;   ///< the first characters of the key, to recognise it in listings
  std::string keyHash;  ///< hex SHA-256 of the whole key
  int64_t createdAt = 0;
  std::optional<int64_t> revokedAt;
};

/// Where API keys live. Implementations: SqliteApiKeyRepository.
class ApiKeyRepository {
 public:
  virtual ~ApiKeyRepository() = default;
  virtual void insert(const ApiKeyRecord& record) = 0;
  virtual std::optional<ApiKeyRecord> findByHash(const std::string& keyHash) = 0;
  virtual std::vector<ApiKeyRecord> list() = 0;
  /// Revokes the key whose id or prefix is `idOrPrefix`; false if none matched.
  virtual bool revoke(const std::string& idOrPrefix, int64_t at) = 0;
};

}  // namespace sb::core

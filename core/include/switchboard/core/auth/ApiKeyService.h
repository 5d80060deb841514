#pragma once

#include <switchboard/core/storage/ApiKeyRepository.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::core {

enum class Role { Agent, Admin };

std::string roleName(Role role);
/// Parses "admin" or "agent"; throws std::invalid_argument otherwise.
Role parseRole(const std::string& text);

/// Who made a request.
struct Principal {
  std::string keyId;
  std::string keyName;
  Role role = Role::Agent;
};

struct CreatedApiKey {
  ApiKeyRecord record;
  std::string key;  ///< the plaintext key: shown once, never stored
};

/// Creates, lists, revokes and checks API keys. Keys are 192-bit random
/// tokens ("sbk_" + 48 hex digits); only their SHA-256 is stored, which is
/// sound for high-entropy tokens (no password stretching needed).
/// Successful lookups are cached for `cacheTtl`, so a revocation made by
/// another process takes effect within that time.
/// THREADING: thread-safe.
class ApiKeyService {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit ApiKeyService(
      ApiKeyRepository& repository, std::chrono::milliseconds cacheTtl = std::chrono::seconds(5),
      Clock clock = [] { return std::chrono::steady_clock::now(); });

  CreatedApiKey create(const std::string& name, Role role);
  std::vector<ApiKeyRecord> list();
  bool revoke(const std::string& idOrPrefix);

  /// The principal for a presented key, or nullopt for an unknown or
  /// revoked key.
  std::optional<Principal> authenticate(const std::string& presentedKey);

  static std::string hashKey(const std::string& key);

 private:
  struct CacheEntry {
    std::optional<Principal> principal;
    std::chrono::steady_clock::time_point expires;
  };

  ApiKeyRepository& repository_;
  std::chrono::milliseconds cacheTtl_;
  Clock clock_;
  std::mutex mutex_;
  /// Valid keys and refused ones apart: a flood of random keys fills and
  /// flushes only the refused side, never evicting the keys in use.
  std::unordered_map<std::string, CacheEntry> cache_;
  std::unordered_map<std::string, CacheEntry> refusedCache_;
};

}  // namespace sb::core

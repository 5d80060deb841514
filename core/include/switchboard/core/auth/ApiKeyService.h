#pragma once

#include <switchboard/core/auth/Role.h>
#include <switchboard/core/storage/ApiKeyRepository.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::core {

/// Who made a request.
/// Who made a request: an API key, or a person signed in with a session.
struct Principal {
  std::string keyId;    ///< the key's id, or the person's user id: rate limits and log lines
  std::string keyName;  ///< the agent it acts as: the key's name, or the person's email (lower-cased)
  Role role = Role::Agent;
  bool session = false;     ///< a person with a session cookie (needs a matching Origin to change anything)
  std::string displayName;  ///< the person's name (sessions)
  std::string email;        ///< as the person gave it (sessions)
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

#include <switchboard/core/auth/ApiKeyService.h>
#include <switchboard/core/crypto/Crypto.h>

#include <ctime>
#include <stdexcept>

namespace sb::core {
namespace {

constexpr const char* kKeyPrefix = "sbk_";
constexpr size_t kKeyRandomBytes = 24;
constexpr size_t kPrefixLength = 12;  // "sbk_" + 8 hex digits
constexpr size_t kMaxCacheEntries = 10000;

}  // namespace

ApiKeyService::ApiKeyService(ApiKeyRepository& repository, std::chrono::milliseconds cacheTtl, Clock clock)
    : repository_(repository), cacheTtl_(cacheTtl), clock_(std::move(clock)) {}

std::string ApiKeyService::hashKey(const std::string& key) {
  return crypto::toHex(crypto::digest("sha256", key));
}

CreatedApiKey ApiKeyService::create(const std::string& name, Role role) {
  if (name.empty() || name.size() > 100) {
    throw std::invalid_argument("key name must be 1 to 100 characters");
  }
  if (role == Role::Supervisor) {
    throw std::invalid_argument(
        "an API key is an 'agent' or an 'admin' key; supervisors sign in as people (switchboard users create)");
  }
  CreatedApiKey created;
  created.key = kKeyPrefix + crypto::toHex(crypto::randomBytes(kKeyRandomBytes));
  created.record.id = "key_" + crypto::toHex(crypto::randomBytes(8));
  created.record.name = name;
  created.record.role = roleName(role);
  created.record.prefix = created.key.substr(0, kPrefixLength);
  created.record.keyHash = hashKey(created.key);
  created.record.createdAt = static_cast<int64_t>(std::time(nullptr));
  repository_.insert(created.record);
  return created;
}

std::vector<ApiKeyRecord> ApiKeyService::list() {
  return repository_.list();
}

bool ApiKeyService::revoke(const std::string& idOrPrefix) {
  const bool revoked = repository_.revoke(idOrPrefix, static_cast<int64_t>(std::time(nullptr)));
  std::lock_guard lock(mutex_);
  cache_.clear();
  refusedCache_.clear();
  return revoked;
}

std::optional<Principal> ApiKeyService::authenticate(const std::string& presentedKey) {
  if (presentedKey.rfind(kKeyPrefix, 0) != 0 || presentedKey.size() > 200) {
    return std::nullopt;
  }
  const std::string hash = hashKey(presentedKey);
  const auto now = clock_();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(hash); it != cache_.end() && it->second.expires > now) {
      return it->second.principal;
    }
    if (auto it = refusedCache_.find(hash); it != refusedCache_.end() && it->second.expires > now) {
      return std::nullopt;
    }
  }
  std::optional<Principal> principal;
  if (auto record = repository_.findByHash(hash); record && !record->revokedAt) {
    principal = Principal();
    principal->keyId = record->id;
    principal->keyName = record->name;
    principal->role = parseRole(record->role);
  }
  std::lock_guard lock(mutex_);
  auto& cache = principal ? cache_ : refusedCache_;
  if (cache.size() >= kMaxCacheEntries) {
    std::erase_if(cache, [now](const auto& entry) { return entry.second.expires <= now; });
    if (cache.size() >= kMaxCacheEntries) {
      cache.clear();  // bounded memory; for valid keys only past kMaxCacheEntries live ones
    }
  }
  cache[hash] = CacheEntry{principal, now + cacheTtl_};
  return principal;
}

}  // namespace sb::core

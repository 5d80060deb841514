#pragma once

#include <switchboard/core/storage/Database.h>
#include <switchboard/core/storage/PluginStateRepository.h>

namespace sb::core {

/// PluginStateRepository on the plugin_state table (SQLite or PostgreSQL).
class SqlPluginStateRepository final : public PluginStateRepository {
 public:
  explicit SqlPluginStateRepository(Database& database) : database_(database) {}

  std::optional<std::string> get(const std::string& plugin, const std::string& key, int64_t nowMs) override;
  void put(const std::string& plugin, const std::string& key, const std::string& value, int64_t expiresAtMs) override;
  void remove(const std::string& plugin, const std::string& key) override;
  std::string claim(const std::string& plugin, const std::string& key, const std::string& value, int64_t nowMs,
                    int64_t expiresAtMs) override;
  int64_t purgeExpired(int64_t nowMs) override;

 private:
  Database& database_;
};

}  // namespace sb::core

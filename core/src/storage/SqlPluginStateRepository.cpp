#include <switchboard/core/storage/SqlPluginStateRepository.h>

#include "storage/Connections.h"

#include <Poco/Data/Statement.h>

using namespace Poco::Data::Keywords;

namespace sb::core {

std::optional<std::string> SqlPluginStateRepository::get(const std::string& plugin, const std::string& key,
                                                         int64_t nowMs) {
  return database_.connections().withSession([&](Poco::Data::Session& session) -> std::optional<std::string> {
    std::string p = plugin;
    std::string k = key;
    Poco::Int64 at = nowMs;
    std::vector<std::string> values;
    session << database_.sql("SELECT value FROM plugin_state WHERE plugin = $1 AND key = $2 AND expires_at > $3"),
        use(p), use(k), use(at), into(values), now;
    if (values.empty()) {
      return std::nullopt;
    }
    return values.front();
  });
}

void SqlPluginStateRepository::put(const std::string& plugin, const std::string& key, const std::string& value,
                                   int64_t expiresAtMs) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    std::string p = plugin;
    std::string k = key;
    std::string v = value;
    Poco::Int64 expires = expiresAtMs;
    // One statement for both backends (SQLite 3.24+ and PostgreSQL): the
    // last writer wins, as with any key-value store.
    session << database_.sql(
        "INSERT INTO plugin_state (plugin, key, value, expires_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at"),
        use(p), use(k), use(v), use(expires), now;
  });
}

void SqlPluginStateRepository::remove(const std::string& plugin, const std::string& key) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    std::string p = plugin;
    std::string k = key;
    session << database_.sql("DELETE FROM plugin_state WHERE plugin = $1 AND key = $2"), use(p), use(k), now;
  });
}

std::string SqlPluginStateRepository::claim(const std::string& plugin, const std::string& key, const std::string& value,
                                            int64_t nowMs, int64_t expiresAtMs) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    std::string p = plugin;
    std::string k = key;
    std::string v = value;
    Poco::Int64 expires = expiresAtMs;
    Poco::Int64 at = nowMs;
    // The row is written only where none is, or only an expired one: the
    // database decides between racing hosts. Then whatever is there is the
    // answer (ours if we won).
    session << database_.sql(
        "INSERT INTO plugin_state (plugin, key, value, expires_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at "
        "WHERE plugin_state.expires_at <= $5"),
        use(p), use(k), use(v), use(expires), use(at), now;
    std::vector<std::string> values;
    session << database_.sql("SELECT value FROM plugin_state WHERE plugin = $1 AND key = $2"), use(p), use(k),
        into(values), now;
    return values.empty() ? v : values.front();
  });
}

int64_t SqlPluginStateRepository::purgeExpired(int64_t nowMs) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    Poco::Int64 at = nowMs;
    Poco::Data::Statement statement(session);
    statement << database_.sql("DELETE FROM plugin_state WHERE expires_at <= $1"), use(at);
    return static_cast<int64_t>(statement.execute());
  });
}

}  // namespace sb::core

#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sb::core {

/// What provider plugins keep between webhooks and operations (the host
/// service "sb.state.v1"), per plugin id, with an expiry. In the database,
/// so that every host that shares it sees the same values.
/// THREADING: thread-safe.
class PluginStateRepository {
 public:
  virtual ~PluginStateRepository() = default;

  /// The value of `key`, unless absent or expired at `nowMs`.
  virtual std::optional<std::string> get(const std::string& plugin, const std::string& key, int64_t nowMs) = 0;
  /// Stores `value` under `key` until `expiresAtMs`, replacing what was there.
  virtual void put(const std::string& plugin, const std::string& key, const std::string& value,
                   int64_t expiresAtMs) = 0;
  virtual void remove(const std::string& plugin, const std::string& key) = 0;
  /// Stores `value` until `expiresAtMs` only if no value unexpired at
  /// `nowMs` is there; returns the value stored afterwards (`value` when
  /// this caller won). Of racing callers, on any host, exactly one wins.
  virtual std::string claim(const std::string& plugin, const std::string& key, const std::string& value, int64_t nowMs,
                            int64_t expiresAtMs) = 0;
  /// Deletes every value expired at `nowMs`; returns how many.
  virtual int64_t purgeExpired(int64_t nowMs) = 0;
};

}  // namespace sb::core

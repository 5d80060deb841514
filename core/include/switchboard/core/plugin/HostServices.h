#pragma once

#include <switchboard/abi/provider_abi.h>
#include <switchboard/core/net/HttpClient.h>
#include <switchboard/core/storage/PluginStateRepository.h>
#include <switchboard/sdk/config.hpp>

#include <spdlog/logger.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

namespace sb::core {

/// The sb_host_api a plugin instance receives: log (spdlog, one logger per
/// plugin), config_get (the plugin's section), http_send (HttpClient),
/// clock_now_ms, and the extensions "sb.crypto.v1" (OpenSSL) and, given a
/// repository, "sb.state.v1" (the plugin's shared state, in the database).
/// The object must outlive the plugin instance that was given table().
class HostServices {
 public:
  HostServices(std::string pluginId, nlohmann::json config, std::shared_ptr<const HttpClient> http,
               std::shared_ptr<PluginStateRepository> state = nullptr);
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  const sb_host_api* table() const noexcept { return &table_; }
  const nlohmann::json& config() const noexcept { return config_.raw(); }
  spdlog::logger& log() const noexcept { return *logger_; }

 private:
  static void SB_ABI logThunk(void* ctx, int32_t level, sb_str message) noexcept;
  static int32_t SB_ABI configGetThunk(void* ctx, sb_str key, sb_writer* value) noexcept;
  static int32_t SB_ABI httpSendThunk(void* ctx, const sb_http_request* request, sb_http_response_sink* response,
                                      sb_error* error) noexcept;
  static int64_t SB_ABI clockNowThunk(void* ctx) noexcept;
  static const void* SB_ABI getExtensionThunk(void* ctx, const char* id) noexcept;
  // sb.state.v1 (HostStateService.cpp)
  static int32_t SB_ABI stateGetThunk(void* ctx, sb_str key, sb_writer* value) noexcept;
  static int32_t SB_ABI statePutThunk(void* ctx, sb_str key, sb_str value, int64_t ttlMs) noexcept;
  static int32_t SB_ABI stateRemoveThunk(void* ctx, sb_str key) noexcept;
  static int32_t SB_ABI stateClaimThunk(void* ctx, sb_str key, sb_str value, int64_t ttlMs,
                                        sb_writer* current) noexcept;
  static const sb_state_v1 kStateTable;
  /// Logs and refuses a state write outside the ABI's limits.
  bool stateWriteValid(const char* what, std::string_view key, std::string_view value, int64_t ttlMs) const;
  /// Deletes expired state now and then (at most once a minute).
  void purgeExpiredStateIfDue(int64_t nowMs);

  std::string pluginId_;
  sdk::Config config_;
  std::shared_ptr<const HttpClient> http_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<PluginStateRepository> state_;
  std::atomic<int64_t> nextStatePurgeMs_{0};
  sb_host_api table_{};
};

}  // namespace sb::core

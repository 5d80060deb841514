#pragma once

#include <switchboard/abi/provider_abi.h>
#include <switchboard/core/net/HttpClient.h>
#include <switchboard/sdk/config.hpp>

#include <spdlog/logger.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace sb::core {

/// The sb_host_api a plugin instance receives: log (spdlog, one logger per
/// plugin), config_get (the plugin's section), http_send (HttpClient),
/// clock_now_ms, and the "sb.crypto.v1" extension (OpenSSL).
/// The object must outlive the plugin instance that was given table().
class HostServices {
 public:
  HostServices(std::string pluginId, nlohmann::json config, std::shared_ptr<const HttpClient> http);
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

  std::string pluginId_;
  sdk::Config config_;
  std::shared_ptr<const HttpClient> http_;
  std::shared_ptr<spdlog::logger> logger_;
  sb_host_api table_{};
};

}  // namespace sb::core

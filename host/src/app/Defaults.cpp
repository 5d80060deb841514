#include "app/Defaults.h"

#include <cstdlib>
#include <filesystem>

namespace sb::host {

core::Settings defaultSettings() {
  return core::Settings({
      {"http.host", "127.0.0.1"},
      {"http.port", "8080"},
      {"http.io_threads", "1"},
      {"http.max_threads", "256"},
      {"http.max_queued", "256"},
      {"http.max_connections", "4096"},
      {"http.max_connections_per_client", "256"},
      {"http.max_uploads", "8"},
      {"http.max_uploads_per_client", "2"},
      {"http.body_min_bytes_per_s", "1024"},
      {"http.body_grace_s", "10"},
      {"http.max_json_depth", "64"},
      {"http.keep_alive_timeout_s", "5"},
      {"http.io_timeout_s", "30"},
      {"http.max_body_bytes", "1048576"},
      {"http.log_requests", "true"},
      {"public_base_url", ""},
      {"database.path", "var/switchboard.db"},
      {"database.checkpoint_ms", "250"},
      {"log.level", "info"},
      {"log.format", "text"},
      {"log.file", ""},
      {"plugins.path", ""},
      {"provider", "sim"},
      {"contacts.default_region", "US"},
      {"import.max_bytes", "209715200"},
      {"import.max_rows", "1000000"},
      {"auth.key_cache_ms", "5000"},
      {"auth.failures_per_minute", "30"},
      {"ratelimit.default_per_minute", "600"},
      {"outbound.connect_timeout_ms", "5000"},
      {"outbound.request_timeout_ms", "15000"},
      {"outbound.verify_tls", "true"},
      {"calls.caller_ids", ""},
      {"calls.dispositions", ""},
      {"calls.ring_timeout_s", "30"},
      {"calls.max_active", "1000"},
      {"calls.agent_join_timeout_s", "15"},
      {"calls.credential_ttl_s", "3600"},
      {"calls.conference_prefix", "COLD_CALL_"},
      {"calls.journal_linger_us", "200"},
      {"calls.journal_linger_below", "16"},
      {"coldcall.prefix", "/api/v1/cold-call"},
      {"webrtc.ice_servers", ""},
      {"sse.heartbeat_ms", "15000"},
      {"sse.max_clients", "256"},
      {"sse.max_clients_per_key", "32"},
      {"sse.replay_limit", "1000"},
      {"metrics.require_key", "false"},
  });
}

core::Settings loadSettings(const std::string& configPath, char** environment) {
  core::Settings settings = defaultSettings();
  std::string path = configPath;
  if (path.empty()) {
    // Read once at start-up, before any thread exists.
    if (const char* fromEnv = std::getenv("SWITCHBOARD_CONFIG");  // NOLINT(concurrency-mt-unsafe)
        fromEnv != nullptr && *fromEnv != '\0') {
      path = fromEnv;
    } else if (std::filesystem::exists("switchboard.ini")) {
      path = "switchboard.ini";
    }
  }
  if (!path.empty()) {
    settings.loadIniFile(path);
  }
  settings.applyEnvironment(environment);
  settings.resolveSecretFiles();
  return settings;
}

}  // namespace sb::host

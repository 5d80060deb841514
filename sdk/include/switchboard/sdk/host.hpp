// The plugin's view of the host services table (sb_host_api): logging,
// configuration lookup, outbound HTTP, the clock and extensions. A Host is a
// cheap copyable handle; it is valid for the plugin instance's lifetime.
#pragma once

#include <switchboard/abi/provider_abi.h>
#include <switchboard/sdk/detail/abi_io.hpp>
#include <switchboard/sdk/http.hpp>
#include <switchboard/sdk/status.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::sdk {

enum class LogLevel : int32_t {
  Trace = SB_LOG_TRACE,
  Debug = SB_LOG_DEBUG,
  Info = SB_LOG_INFO,
  Warn = SB_LOG_WARN,
  Error = SB_LOG_ERROR,
};

/// Crypto primitives offered by the host (extension "sb.crypto.v1").
class Crypto {
 public:
  Crypto(const sb_crypto_v1* table, void* ctx) noexcept : table_(table), ctx_(ctx) {}

  /// Raw HMAC bytes; algorithm is "sha1" or "sha256".
  std::string hmac(std::string_view algorithm, std::string_view key, std::string_view data) const {
    std::string out;
    detail::StringWriter writer(out);
    check(table_->hmac(ctx_, detail::toStr(algorithm), detail::toStr(key), detail::toStr(data), writer.get()), "hmac");
    return out;
  }

  /// Raw digest bytes; algorithm is "sha1" or "sha256".
  std::string digest(std::string_view algorithm, std::string_view data) const {
    std::string out;
    detail::StringWriter writer(out);
    check(table_->digest(ctx_, detail::toStr(algorithm), detail::toStr(data), writer.get()), "digest");
    return out;
  }

  /// True when `signature` (64 raw bytes) is a valid Ed25519 signature of
  /// `message` by `publicKey` (32 raw bytes).
  bool ed25519Verify(std::string_view publicKey, std::string_view message, std::string_view signature) const {
    const int32_t status =
        table_->ed25519_verify(ctx_, detail::toStr(publicKey), detail::toStr(message), detail::toStr(signature));
    return status == SB_STATUS_OK;
  }

  std::string randomBytes(size_t size) const {
    std::string out(size, '\0');
    check(table_->random_bytes(ctx_, reinterpret_cast<uint8_t*>(out.data()), out.size()), "random_bytes");
    return out;
  }

 private:
  static void check(int32_t status, const char* what) {
    if (status != SB_STATUS_OK) {
      throw ProviderError(statusFromRaw(status), std::string("host crypto ") + what + " failed");
    }
  }
  const sb_crypto_v1* table_;
  void* ctx_;
};

class Host {
 public:
  explicit Host(const sb_host_api* api) noexcept : api_(api) {}

  const sb_host_api* raw() const noexcept { return api_; }

  void log(LogLevel level, std::string_view message) const noexcept {
    api_->log(api_->ctx, static_cast<int32_t>(level), detail::toStr(message));
  }
  void info(std::string_view message) const noexcept { log(LogLevel::Info, message); }
  void warn(std::string_view message) const noexcept { log(LogLevel::Warn, message); }
  void error(std::string_view message) const noexcept { log(LogLevel::Error, message); }
  void debug(std::string_view message) const noexcept { log(LogLevel::Debug, message); }

  std::optional<std::string> config(std::string_view key) const {
    std::string value;
    detail::StringWriter writer(value);
    if (api_->config_get(api_->ctx, detail::toStr(key), writer.get()) != SB_STATUS_OK) {
      return std::nullopt;
    }
    return value;
  }

  int64_t nowMs() const noexcept { return api_->clock_now_ms(api_->ctx); }

  /// Sends a request through the host. Any HTTP status is a response; a
  /// connection failure or timeout throws ProviderError(Unavailable).
  HttpResponse http(const HttpRequest& request) const {
    std::vector<sb_header> headers;
    headers.reserve(request.headers.size());
    for (const auto& [name, value] : request.headers) {
      headers.push_back(sb_header{detail::toStr(name), detail::toStr(value)});
    }
    sb_http_request raw{};
    raw.struct_size = sizeof(sb_http_request);
    raw.method = detail::toStr(request.method);
    raw.url = detail::toStr(request.url);
    raw.headers = headers.data();
    raw.header_count = headers.size();
    raw.body = detail::toStr(request.body);
    raw.timeout_ms = request.timeoutMs;

    HttpResponse response;
    sb_http_response_sink sink{};
    sink.struct_size = sizeof(sb_http_response_sink);
    sink.ctx = &response;
    sink.on_status = [](void* ctx, int32_t status) noexcept { static_cast<HttpResponse*>(ctx)->status = status; };
    sink.on_header = [](void* ctx, sb_str name, sb_str value) noexcept {
      try {
        static_cast<HttpResponse*>(ctx)->headers.emplace_back(std::string(detail::fromStr(name)),
                                                              std::string(detail::fromStr(value)));
      } catch (...) {
        // Dropping a header under memory pressure is the only option here.
      }
    };
    sink.on_body = [](void* ctx, sb_str chunk) noexcept {
      try {
        static_cast<HttpResponse*>(ctx)->body.append(detail::fromStr(chunk));
      } catch (...) {
        // A truncated body fails to parse and is reported by the caller.
      }
    };
    sb_error error = detail::makeError();
    const int32_t status = api_->http_send(api_->ctx, &raw, &sink, &error);
    if (status != SB_STATUS_OK) {
      throw ProviderError(statusFromRaw(status), error.message, error.retry_after_ms);
    }
    return response;
  }

  /// The host's crypto extension; throws Unsupported if the host lacks it.
  Crypto crypto() const {
    const void* table = api_->get_extension(api_->ctx, SB_EXTENSION_CRYPTO_V1);
    if (table == nullptr) {
      throw ProviderError(Status::Unsupported, "host offers no " SB_EXTENSION_CRYPTO_V1 " extension");
    }
    return Crypto(static_cast<const sb_crypto_v1*>(table), api_->ctx);
  }

 private:
  const sb_host_api* api_;
};

}  // namespace sb::sdk

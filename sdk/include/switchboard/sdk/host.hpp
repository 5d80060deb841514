// The plugin's view of the host services table (sb_host_api): logging,
// configuration lookup, outbound HTTP, the clock and extensions (crypto,
// shared state). A Host is a cheap copyable handle; it is valid for the
// plugin instance's lifetime.
#pragma once

#include <switchboard/abi/provider_abi.h>
#include <switchboard/sdk/detail/abi_io.hpp>
#include <switchboard/sdk/http.hpp>
#include <switchboard/sdk/status.hpp>

#include <chrono>
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

/// What the plugin keeps between webhooks and operations, in the host's
/// database (extension "sb.state.v1", ABI 1.1): every host that shares the
/// database sees the same values, so a webhook or an operation for a call
/// may reach any of them. Keys are the plugin's own; values are UTF-8 text
/// (JSON suits), at most SB_STATE_MAX_VALUE bytes, kept for a time to live.
/// Every call may wait on the database: not for on_webhook of a plugin that
/// declares webhooks_nonblocking.
class State {
 public:
  State(const sb_state_v1* table, void* ctx) noexcept : table_(table), ctx_(ctx) {}

  /// The value under `key`, or nullopt when none is stored (or it expired).
  std::optional<std::string> get(std::string_view key) const {
    std::string value;
    detail::StringWriter writer(value);
    const int32_t status = table_->get(ctx_, detail::toStr(key), writer.get());
    if (status == SB_STATUS_NOT_FOUND) {
      return std::nullopt;
    }
    check(status, "get", key);
    return value;
  }

  /// Stores `value` under `key` for `ttl`, replacing what was there.
  void put(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) const {
    check(table_->put(ctx_, detail::toStr(key), detail::toStr(value), static_cast<int64_t>(ttl.count())), "put", key);
  }

  /// Removes `key` (nothing stored is not an error).
  void remove(std::string_view key) const { check(table_->remove(ctx_, detail::toStr(key)), "remove", key); }

  /// Stores `value` under `key` for `ttl` unless an unexpired value is
  /// there; returns the value stored now (equal to `value` when this caller
  /// won). Of callers racing on any hosts, exactly one wins.
  std::string claim(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) const {
    std::string current;
    detail::StringWriter writer(current);
    check(
        table_->claim(ctx_, detail::toStr(key), detail::toStr(value), static_cast<int64_t>(ttl.count()), writer.get()),
        "claim", key);
    return current;
  }

 private:
  static void check(int32_t status, const char* what, std::string_view key) {
    if (status != SB_STATUS_OK) {
      throw ProviderError(statusFromRaw(status),
                          std::string("host state ") + what + " of '" + std::string(key) + "' failed");
    }
  }
  const sb_state_v1* table_;
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

  /// The host's shared state (extension "sb.state.v1"), or nullopt from a
  /// host older than ABI 1.1: keep the state in memory then (one host).
  std::optional<State> state() const {
    const void* table = api_->get_extension(api_->ctx, SB_EXTENSION_STATE_V1);
    if (table == nullptr) {
      return std::nullopt;
    }
    return State(static_cast<const sb_state_v1*>(table), api_->ctx);
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

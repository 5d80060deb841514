#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/HostServices.h>
#include <switchboard/core/plugin/OperationDeadline.h>
#include <switchboard/core/text/Time.h>
#include <switchboard/sdk/config.hpp>
#include <switchboard/sdk/detail/abi_io.hpp>

#include <chrono>
#include <cstring>

namespace sb::core {
namespace {

using sdk::detail::fillError;
using sdk::detail::fromStr;
using sdk::detail::toStr;
using sdk::detail::writeAll;

int32_t SB_ABI cryptoHmac(void*, sb_str algorithm, sb_str key, sb_str data, sb_writer* mac) noexcept {
  try {
    writeAll(mac, crypto::hmac(fromStr(algorithm), fromStr(key), fromStr(data)));
    return SB_STATUS_OK;
  } catch (const std::invalid_argument&) {
    return SB_STATUS_INVALID_ARGUMENT;
  } catch (...) {
    return SB_STATUS_INTERNAL;
  }
}

int32_t SB_ABI cryptoDigest(void*, sb_str algorithm, sb_str data, sb_writer* out) noexcept {
  try {
    writeAll(out, crypto::digest(fromStr(algorithm), fromStr(data)));
    return SB_STATUS_OK;
  } catch (const std::invalid_argument&) {
    return SB_STATUS_INVALID_ARGUMENT;
  } catch (...) {
    return SB_STATUS_INTERNAL;
  }
}

int32_t SB_ABI cryptoEd25519Verify(void*, sb_str publicKey, sb_str message, sb_str signature) noexcept {
  try {
    return crypto::ed25519Verify(fromStr(publicKey), fromStr(message), fromStr(signature)) ? SB_STATUS_OK
                                                                                           : SB_STATUS_UNAUTHENTICATED;
  } catch (const std::invalid_argument&) {
    return SB_STATUS_INVALID_ARGUMENT;
  } catch (...) {
    return SB_STATUS_INTERNAL;
  }
}

int32_t SB_ABI cryptoRandomBytes(void*, uint8_t* out, size_t size) noexcept {
  try {
    const std::string bytes = crypto::randomBytes(size);
    std::memcpy(out, bytes.data(), size);
    return SB_STATUS_OK;
  } catch (...) {
    return SB_STATUS_INTERNAL;
  }
}

constexpr sb_crypto_v1 kCryptoTable = {sizeof(sb_crypto_v1), &cryptoHmac, &cryptoDigest, &cryptoEd25519Verify,
                                       &cryptoRandomBytes};

spdlog::level::level_enum toSpdlog(int32_t level) {
  switch (level) {
    case SB_LOG_TRACE: return spdlog::level::trace;
    case SB_LOG_DEBUG: return spdlog::level::debug;
    case SB_LOG_INFO: return spdlog::level::info;
    case SB_LOG_WARN: return spdlog::level::warn;
    default: return spdlog::level::err;
  }
}

}  // namespace

HostServices::HostServices(std::string pluginId, nlohmann::json config, std::shared_ptr<const HttpClient> http,
                           std::shared_ptr<PluginStateRepository> state)
    : pluginId_(std::move(pluginId)),
      config_(std::move(config)),
      http_(std::move(http)),
      logger_(logger("plugin." + pluginId_)),
      state_(std::move(state)) {
  table_.struct_size = sizeof(sb_host_api);
  table_.abi_major = SB_ABI_MAJOR;
  table_.abi_minor = SB_ABI_MINOR;
  table_.ctx = this;
  table_.log = &HostServices::logThunk;
  table_.config_get = &HostServices::configGetThunk;
  table_.http_send = &HostServices::httpSendThunk;
  table_.clock_now_ms = &HostServices::clockNowThunk;
  table_.get_extension = &HostServices::getExtensionThunk;
}

void HostServices::logThunk(void* ctx, int32_t level, sb_str message) noexcept {
  try {
    static_cast<HostServices*>(ctx)->logger_->log(toSpdlog(level), "{}", fromStr(message));
  } catch (...) {
    // Logging never fails from the plugin's point of view.
  }
}

int32_t HostServices::configGetThunk(void* ctx, sb_str key, sb_writer* value) noexcept {
  try {
    const auto* self = static_cast<HostServices*>(ctx);
    const nlohmann::json* found = self->config_.find(std::string(fromStr(key)));
    if (found == nullptr || found->is_null()) {
      return SB_STATUS_NOT_FOUND;
    }
    writeAll(value, found->is_string() ? found->get<std::string>() : found->dump());
    return SB_STATUS_OK;
  } catch (...) {
    return SB_STATUS_INTERNAL;
  }
}

namespace {

std::string deadlineMessage(const sdk::HttpRequest& request) {
  return "the operation's deadline of " + std::to_string(OperationDeadline::budget().count()) +
         " ms (plugins.operation_timeout_ms) ran out at " + request.method + " " +
         request.url.substr(0, request.url.find('?'));
}

}  // namespace

int32_t HostServices::httpSendThunk(void* ctx, const sb_http_request* request, sb_http_response_sink* response,
                                    sb_error* error) noexcept {
  auto* self = static_cast<HostServices*>(ctx);
  try {
    if (request == nullptr || request->struct_size < sizeof(sb_http_request) || response == nullptr ||
        response->struct_size < sizeof(sb_http_response_sink)) {
      fillError(error, SB_STATUS_INVALID_ARGUMENT, "http_send: request or response sink missing or too small");
      return SB_STATUS_INVALID_ARGUMENT;
    }
    sdk::HttpRequest out;
    out.method = std::string(fromStr(request->method));
    out.url = std::string(fromStr(request->url));
    out.body = std::string(fromStr(request->body));
    out.timeoutMs = request->timeout_ms;
    for (size_t i = 0; i < request->header_count; ++i) {
      out.headers.emplace_back(std::string(fromStr(request->headers[i].name)),
                               std::string(fromStr(request->headers[i].value)));
    }
    const auto deadline = OperationDeadline::current();
    if (deadline && std::chrono::steady_clock::now() >= *deadline) {
      fillError(error, SB_STATUS_UNAVAILABLE, deadlineMessage(out));
      return SB_STATUS_UNAVAILABLE;
    }
    const auto started = std::chrono::steady_clock::now();
    sdk::HttpResponse in;
    try {
      in = self->http_->send(out, self->pluginId_, deadline);
    } catch (const HttpTransportError& e) {
      // The attempt's timeout was cut to the deadline; it fires within a few
      // ms of it, on either side.
      constexpr auto kSlack = std::chrono::milliseconds(50);
      if (deadline && std::chrono::steady_clock::now() >= *deadline - kSlack) {
        self->logger_->warn("outbound http failed: {} ({})", e.what(), deadlineMessage(out));
        fillError(error, SB_STATUS_UNAVAILABLE, std::string(e.what()) + "; " + deadlineMessage(out));
        return SB_STATUS_UNAVAILABLE;
      }
      throw;
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    // The URL is logged without its query: query strings may carry tokens.
    self->logger_->debug("http {} {} -> {} ({} ms)", out.method, out.url.substr(0, out.url.find('?')), in.status,
                         elapsed);
    response->on_status(response->ctx, in.status);
    for (const auto& [name, value] : in.headers) {
      response->on_header(response->ctx, toStr(name), toStr(value));
    }
    if (!in.body.empty()) {
      response->on_body(response->ctx, toStr(in.body));
    }
    return SB_STATUS_OK;
  } catch (const std::invalid_argument& e) {
    fillError(error, SB_STATUS_INVALID_ARGUMENT, e.what());
    return SB_STATUS_INVALID_ARGUMENT;
  } catch (const HttpTransportError& e) {
    self->logger_->warn("outbound http failed: {}", e.what());
    fillError(error, SB_STATUS_UNAVAILABLE, e.what());
    return SB_STATUS_UNAVAILABLE;
  } catch (const std::exception& e) {
    fillError(error, SB_STATUS_INTERNAL, e.what());
    return SB_STATUS_INTERNAL;
  } catch (...) {
    fillError(error, SB_STATUS_INTERNAL, "unknown error in http_send");
    return SB_STATUS_INTERNAL;
  }
}

int64_t HostServices::clockNowThunk(void*) noexcept {
  return unixNowMs();
}

const void* HostServices::getExtensionThunk(void* ctx, const char* id) noexcept {
  if (id != nullptr && std::strcmp(id, SB_EXTENSION_CRYPTO_V1) == 0) {
    return &kCryptoTable;
  }
  if (id != nullptr && std::strcmp(id, SB_EXTENSION_STATE_V1) == 0 && static_cast<HostServices*>(ctx)->state_) {
    return &kStateTable;
  }
  return nullptr;
}

}  // namespace sb::core

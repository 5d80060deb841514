// The host service "sb.state.v1": what a plugin keeps between webhooks and
// operations, in the database through a PluginStateRepository, under the
// plugin's own id. Everything a plugin passes is bounded before it is
// stored (sizes, UTF-8, time to live).
#include <switchboard/core/plugin/HostServices.h>
#include <switchboard/core/text/Utf8.h>
#include <switchboard/sdk/detail/abi_io.hpp>

namespace sb::core {
namespace {

using sdk::detail::fromStr;
using sdk::detail::writeAll;

bool validKey(std::string_view key) {
  return !key.empty() && key.size() <= SB_STATE_MAX_KEY && key.find('\0') == std::string_view::npos && isValidUtf8(key);
}

bool validValue(std::string_view value) {
  return value.size() <= SB_STATE_MAX_VALUE && value.find('\0') == std::string_view::npos && isValidUtf8(value);
}

}  // namespace

const sb_state_v1 HostServices::kStateTable = {sizeof(sb_state_v1), &HostServices::stateGetThunk,
                                               &HostServices::statePutThunk, &HostServices::stateRemoveThunk,
                                               &HostServices::stateClaimThunk};

int32_t SB_ABI HostServices::stateGetThunk(void* ctx, sb_str key, sb_writer* value) noexcept {
  auto* self = static_cast<HostServices*>(ctx);
  try {
    const std::string_view k = fromStr(key);
    if (!validKey(k)) {
      self->logger_->warn("state get refused: a key must be 1 to {} bytes of UTF-8 without NUL", SB_STATE_MAX_KEY);
      return SB_STATUS_INVALID_ARGUMENT;
    }
    const auto found = self->state_->get(self->pluginId_, std::string(k), clockNowThunk(ctx));
    if (!found) {
      return SB_STATUS_NOT_FOUND;
    }
    writeAll(value, *found);
    return SB_STATUS_OK;
  } catch (const std::exception& e) {
    self->logger_->warn("state get failed: {}", e.what());
    return SB_STATUS_UNAVAILABLE;
  } catch (...) {
    return SB_STATUS_INTERNAL;
  }
}

bool HostServices::stateWriteValid(const char* what, std::string_view key, std::string_view value,
                                   int64_t ttlMs) const {
  if (validKey(key) && validValue(value) && ttlMs >= 1 && ttlMs <= SB_STATE_MAX_TTL_MS) {
    return true;
  }
  logger_->warn(
      "state {} of a {}-byte key refused: a key is 1 to {} bytes and a value at most {} bytes, both UTF-8 without "
      "NUL (this value: {} bytes), and the time to live 1 to {} ms (this one: {})",
      what, key.size(), SB_STATE_MAX_KEY, SB_STATE_MAX_VALUE, value.size(), SB_STATE_MAX_TTL_MS, ttlMs);
  return false;
}

int32_t SB_ABI HostServices::statePutThunk(void* ctx, sb_str key, sb_str value, int64_t ttlMs) noexcept {
  auto* self = static_cast<HostServices*>(ctx);
  try {
    const std::string_view k = fromStr(key);
    const std::string_view v = fromStr(value);
    if (!self->stateWriteValid("put", k, v, ttlMs)) {
      return SB_STATUS_INVALID_ARGUMENT;
    }
    const int64_t now = clockNowThunk(ctx);
    self->state_->put(self->pluginId_, std::string(k), std::string(v), now + ttlMs);
    self->purgeExpiredStateIfDue(now);
    return SB_STATUS_OK;
  } catch (const std::exception& e) {
    self->logger_->warn("state put failed: {}", e.what());
    return SB_STATUS_UNAVAILABLE;
  } catch (...) {
    return SB_STATUS_INTERNAL;
  }
}

int32_t SB_ABI HostServices::stateClaimThunk(void* ctx, sb_str key, sb_str value, int64_t ttlMs,
                                             sb_writer* current) noexcept {
  auto* self = static_cast<HostServices*>(ctx);
  try {
    const std::string_view k = fromStr(key);
    const std::string_view v = fromStr(value);
    if (!self->stateWriteValid("claim", k, v, ttlMs)) {
      return SB_STATUS_INVALID_ARGUMENT;
    }
    const int64_t now = clockNowThunk(ctx);
    writeAll(current, self->state_->claim(self->pluginId_, std::string(k), std::string(v), now, now + ttlMs));
    self->purgeExpiredStateIfDue(now);
    return SB_STATUS_OK;
  } catch (const std::exception& e) {
    self->logger_->warn("state claim failed: {}", e.what());
    return SB_STATUS_UNAVAILABLE;
  } catch (...) {
    return SB_STATUS_INTERNAL;
  }
}

int32_t SB_ABI HostServices::stateRemoveThunk(void* ctx, sb_str key) noexcept {
  auto* self = static_cast<HostServices*>(ctx);
  try {
    const std::string_view k = fromStr(key);
    if (!validKey(k)) {
      self->logger_->warn("state remove refused: a key must be 1 to {} bytes of UTF-8 without NUL", SB_STATE_MAX_KEY);
      return SB_STATUS_INVALID_ARGUMENT;
    }
    self->state_->remove(self->pluginId_, std::string(k));
    return SB_STATUS_OK;
  } catch (const std::exception& e) {
    self->logger_->warn("state remove failed: {}", e.what());
    return SB_STATUS_UNAVAILABLE;
  } catch (...) {
    return SB_STATUS_INTERNAL;
  }
}

void HostServices::purgeExpiredStateIfDue(int64_t nowMs) {
  constexpr int64_t kPurgeEveryMs = 60'000;
  int64_t due = nextStatePurgeMs_.load();
  // One caller per minute wins the exchange and purges; a failure is only
  // logged (the rows read as absent all the same).
  if (nowMs < due || !nextStatePurgeMs_.compare_exchange_strong(due, nowMs + kPurgeEveryMs)) {
    return;
  }
  try {
    if (const int64_t purged = state_->purgeExpired(nowMs); purged > 0) {
      logger_->debug("deleted {} expired state value(s)", purged);
    }
  } catch (const std::exception& e) {
    logger_->warn("could not delete expired state: {}", e.what());
  }
}

}  // namespace sb::core

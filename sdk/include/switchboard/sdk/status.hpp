// Status codes and the one exception type a plugin throws. The trampolines
// in define_provider.hpp turn it (and any other exception) into a status at
// the ABI boundary.
#pragma once

#include <switchboard/abi/provider_abi.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sb::sdk {

enum class Status : int32_t {
  Ok = SB_STATUS_OK,
  InvalidArgument = SB_STATUS_INVALID_ARGUMENT,
  NotFound = SB_STATUS_NOT_FOUND,
  Unauthenticated = SB_STATUS_UNAUTHENTICATED,
  PermissionDenied = SB_STATUS_PERMISSION_DENIED,
  Unsupported = SB_STATUS_UNSUPPORTED,
  Unavailable = SB_STATUS_UNAVAILABLE,
  RateLimited = SB_STATUS_RATE_LIMITED,
  ProviderRejected = SB_STATUS_PROVIDER_REJECTED,
  Internal = SB_STATUS_INTERNAL,
  InvalidPhone = SB_STATUS_INVALID_PHONE,
};

/// Maps a raw status from the other side of the ABI to a known one; codes
/// from a newer minor version become Internal (ABI_POLICY.md).
inline Status statusFromRaw(int32_t raw) noexcept {
  if (raw >= SB_STATUS_OK && raw <= SB_STATUS_INVALID_PHONE) {
    return static_cast<Status>(raw);
  }
  return Status::Internal;
}

inline std::string_view statusName(Status status) noexcept {
  switch (status) {
    case Status::Ok: return "OK";
    case Status::InvalidArgument: return "INVALID_ARGUMENT";
    case Status::NotFound: return "NOT_FOUND";
    case Status::Unauthenticated: return "UNAUTHENTICATED";
    case Status::PermissionDenied: return "PERMISSION_DENIED";
    case Status::Unsupported: return "UNSUPPORTED";
    case Status::Unavailable: return "UNAVAILABLE";
    case Status::RateLimited: return "RATE_LIMITED";
    case Status::ProviderRejected: return "PROVIDER_REJECTED";
    case Status::Internal: return "INTERNAL";
    case Status::InvalidPhone: return "INVALID_PHONE";
  }
  return "INTERNAL";
}

/// The error a provider throws from any operation. `retryAfterMs` is the
/// upstream's retry hint for RateLimited (0 = unknown); `providerCode` is the
/// provider's own error code, if any (e.g. Twilio "21217").
class ProviderError : public std::runtime_error {
 public:
  ProviderError(Status status, const std::string& message, int64_t retryAfterMs = 0, std::string providerCode = {})
      : std::runtime_error(message),
        status_(status),
        retryAfterMs_(retryAfterMs),
        providerCode_(std::move(providerCode)) {}

  Status status() const noexcept { return status_; }
  int64_t retryAfterMs() const noexcept { return retryAfterMs_; }
  const std::string& providerCode() const noexcept { return providerCode_; }

 private:
  Status status_;
  int64_t retryAfterMs_;
  std::string providerCode_;
};

}  // namespace sb::sdk

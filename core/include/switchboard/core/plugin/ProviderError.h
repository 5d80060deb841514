#pragma once

#include <switchboard/sdk/status.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace sb::core {

/// A provider operation failed; thrown by ProviderProxy for any non-OK
/// status from a plugin, and mapped to HTTP in one place (ErrorMapper).
class ProviderError : public std::runtime_error {
 public:
  ProviderError(std::string provider, sdk::Status status, const std::string& message, int64_t retryAfterMs = 0,
                std::string providerCode = {})
      : std::runtime_error(message),
        provider_(std::move(provider)),
        status_(status),
        retryAfterMs_(retryAfterMs),
        providerCode_(std::move(providerCode)) {}

  const std::string& provider() const noexcept { return provider_; }
  sdk::Status status() const noexcept { return status_; }
  int64_t retryAfterMs() const noexcept { return retryAfterMs_; }
  const std::string& providerCode() const noexcept { return providerCode_; }

 private:
  std::string provider_;
  sdk::Status status_;
  int64_t retryAfterMs_;
  std::string providerCode_;
};

}  // namespace sb::core

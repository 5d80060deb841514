#pragma once

#include <switchboard/core/plugin/ProviderProxy.h>

#include <mutex>
#include <string>

namespace sb::core {

/// The provider calls go to, set once the plugin starts (or left empty with
/// the reason it did not).
/// THREADING: thread-safe.
class ProviderSlot {
 public:
  void set(const ProviderProxy* provider, std::string problem = {});
  /// The active provider; throws ProviderError(Unavailable) with the reason
  /// when there is none.
  const ProviderProxy& get() const;
  /// The active provider, or nullptr.
  const ProviderProxy* find() const;

 private:
  mutable std::mutex mutex_;
  const ProviderProxy* provider_ = nullptr;
  std::string problem_ = "no provider is active";
};

}  // namespace sb::core

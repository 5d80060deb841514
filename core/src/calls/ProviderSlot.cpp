#include <switchboard/core/calls/ProviderSlot.h>

#include <switchboard/core/plugin/ProviderError.h>

namespace sb::core {

void ProviderSlot::set(const ProviderProxy* provider, std::string problem) {
  std::lock_guard lock(mutex_);
  provider_ = provider;
  problem_ = problem.empty() ? "no provider is active" : std::move(problem);
}

const ProviderProxy& ProviderSlot::get() const {
  std::lock_guard lock(mutex_);
  if (provider_ == nullptr) {
    throw ProviderError("none", sdk::Status::Unavailable, problem_);
  }
  return *provider_;
}

const ProviderProxy* ProviderSlot::find() const {
  std::lock_guard lock(mutex_);
  return provider_;
}

}  // namespace sb::core

#include <switchboard/core/calls/CallEventBus.h>

namespace sb::core {

int CallEventBus::subscribe(Listener listener) {
  std::lock_guard lock(mutex_);
  const int id = next_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void CallEventBus::unsubscribe(int id) {
  std::lock_guard lock(mutex_);
  listeners_.erase(id);
}

void CallEventBus::publish(const std::vector<CommittedEvent>& events) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, listener] : listeners_) {
    listener(events);
  }
}

}  // namespace sb::core

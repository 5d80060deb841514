#include "Scheduler.h"

namespace sb::sim {

Scheduler::Scheduler() : thread_([this] { run(); }) {}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  thread_.join();
}

void Scheduler::at(Clock::time_point when, const std::string& callId, Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    queue_.emplace(when, Entry{callId, std::move(task)});
  }
  wake_.notify_all();
}

void Scheduler::cancel(const std::string& callId) {
  std::lock_guard lock(mutex_);
  for (auto it = queue_.begin(); it != queue_.end();) {
    it = it->second.callId == callId ? queue_.erase(it) : std::next(it);
  }
}

bool Scheduler::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void Scheduler::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto due = queue_.begin()->first;
    if (Clock::now() < due) {
      wake_.wait_until(lock, due);
      continue;
    }
    Task task = std::move(queue_.begin()->second.task);
    queue_.erase(queue_.begin());
    lock.unlock();
    try {
      task();
    } catch (...) {
      // A task reports its own failures through the host log; the
      // scheduler must survive them.
    }
    lock.lock();
  }
}

}  // namespace sb::sim

#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace sb::sim {

/// Runs tasks at given times on one thread of its own, in time order. Tasks
/// carry a call id so that ending a call can cancel what is still pending.
/// The destructor cancels everything and joins the thread (the ABI requires
/// plugin threads to be joined in destroy).
class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;
  using Task = std::function<void()>;

  Scheduler();
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void at(Clock::time_point when, const std::string& callId, Task task);
  void after(std::chrono::milliseconds delay, const std::string& callId, Task task) {
    at(Clock::now() + delay, callId, std::move(task));
  }
  /// Drops every pending task of a call.
  void cancel(const std::string& callId);
  /// For a running task that waits between attempts: sleeps for `delay`, or
  /// less when the scheduler is being destroyed. False when it is, so the
  /// task gives up rather than hold the plugin's unloading.
  bool pause(std::chrono::milliseconds delay);

 private:
  struct Entry {
    std::string callId;
    Task task;
  };
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<Clock::time_point, Entry> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::sim

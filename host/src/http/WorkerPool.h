#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::host {

/// The threads route handlers run on, apart from the HTTP server's I/O
/// threads (a handler may block: a provider's REST call, a database read).
/// One queue, threads started on demand up to a ceiling. A job is handed to
/// an idle thread with a wake-up only when one is asleep: under load the
/// threads take the next job without sleeping, so the wake-ups a pool of
/// threads parked one per request would pay (architecture.md's measured
/// trap) are not paid per job.
/// THREADING: thread-safe.
class WorkerPool {
 public:
  WorkerPool(std::string name, size_t maxThreads, size_t maxQueued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job`; false when the queue is full or the pool stopped (the
  /// caller refuses the request).
  bool post(std::function<void()> job);
  /// Runs what is queued, then joins the threads.
  void stop();
  size_t threadCount() const;

 private:
  void work();

  std::string name_;
  size_t maxThreads_;
  size_t maxQueued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace sb::host

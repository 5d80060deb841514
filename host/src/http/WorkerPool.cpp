#include "http/WorkerPool.h"

#include <switchboard/core/log/Logging.h>

#include <pthread.h>

namespace sb::host {

WorkerPool::WorkerPool(std::string name, size_t maxThreads, size_t maxQueued)
    : name_(std::move(name)), maxThreads_(maxThreads == 0 ? 1 : maxThreads), maxQueued_(maxQueued) {}

WorkerPool::~WorkerPool() {
  stop();
}

bool WorkerPool::post(std::function<void()> job) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    return false;
  }
  // Jobs beyond the idle threads wait in the queue; past maxQueued of them
  // the pool refuses rather than grow without bound.
  if (queue_.size() >= idle_ + maxQueued_ && threads_.size() >= maxThreads_) {
    return false;
  }
  queue_.push_back(std::move(job));
  if (idle_ >= queue_.size()) {
    lock.unlock();
    wake_.notify_one();
    return true;
  }
  if (threads_.size() < maxThreads_) {
    threads_.emplace_back([this] { work(); });
  }
  return true;
}

void WorkerPool::work() {
  // Names the thread in top, perf and gdb (at most 15 characters).
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) {
        return;
      }
      ++idle_;
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      continue;
    }
    std::function<void()> job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      core::logger("http")->error("a request job failed outside its handler: {}", e.what());
    }
    job = nullptr;  // its captures go before the lock is taken again
    lock.lock();
  }
}

void WorkerPool::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (auto& thread : threads) {
    thread.join();
  }
}

size_t WorkerPool::threadCount() const {
  std::lock_guard lock(mutex_);
  return threads_.size();
}

}  // namespace sb::host

#include <switchboard/core/calls/CallJournal.h>

#include <switchboard/core/log/Logging.h>

#include <chrono>

#include <pthread.h>

namespace sb::core {

CallJournal::CallJournal(CallRepository& repository, size_t maxBatch)
    : repository_(repository), maxBatch_(maxBatch == 0 ? 1 : maxBatch), thread_([this] { loop(); }) {}

CallJournal::~CallJournal() {
  stop();
}

void CallJournal::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void CallJournal::enqueue(Pending* pending) {
  bool wasEmpty = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      throw std::runtime_error("the call journal is stopping");
    }
    wasEmpty = queue_.empty();
    queue_.push_back(pending);
  }
  // The writer waits only on an empty queue: a notify while it works would
  // be a system call for nobody.
  if (wasEmpty) {
    wake_.notify_one();
  }
}

void CallJournal::submit(Job job, Completion done) {
  auto pending = std::make_unique<Pending>();
  pending->job = std::move(job);
  pending->completion = std::move(done);
  enqueue(pending.get());
  pending.release();  // the journal deletes it once it has told `done`
}

void CallJournal::run(Job job) {
  Pending pending;
  pending.job = std::move(job);
  enqueue(&pending);
  pending.acquire();
  if (pending.next != nullptr) {
    pending.next->release();
  }
  if (pending.error) {
    std::rethrow_exception(pending.error);
  }
}

void CallJournal::loop() {
  pthread_setname_np(pthread_self(), "sb-journal");  // names it in top, perf and gdb
  std::vector<Pending*> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping, nothing left
      }
      if (linger_.count() > 0 && lastBatch_ > 1 && queue_.size() < lingerBelow_ && !stopping_) {
        // Group commit: a commit costs about as much as a dozen writes, so
        // under load (the last batch had company) wait a moment for more
        // callers to share it. A lone caller never waits.
        lock.unlock();
        std::this_thread::sleep_for(linger_);
        lock.lock();
      }
      while (!queue_.empty() && batch.size() < maxBatch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    lastBatch_ = batch.size();
    runBatch(batch);
    batch.clear();
  }
}

void CallJournal::runBatch(std::vector<Pending*>& batch) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<CommittedEvent> published;
  try {
    repository_.transact([&] {
      for (Pending* pending : batch) {
        const size_t mark = published.size();
        try {
          repository_.step([&] { pending->job(repository_, published); });
        } catch (...) {
          pending->error = std::current_exception();
          published.resize(mark);
        }
      }
    });
  } catch (...) {
    // The commit itself failed: nothing of the batch is stored.
    const auto error = std::current_exception();
    for (Pending* pending : batch) {
      pending->error = error;
    }
    published.clear();
  }
  if (batchObserver_) {
    batchObserver_(batch.size(), std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  if (listener_ && !published.empty()) {
    try {
      listener_(published);
    } catch (const std::exception& e) {
      logger("calls")->error("call event listener failed: {}", e.what());
    }
  }
  // Tell the submitters; link the waiting callers, then wake the first:
  // each wakes the next. Nothing of a caller may be touched after the
  // wake-up that lets it return.
  Pending* firstWaiting = nullptr;
  Pending* lastWaiting = nullptr;
  for (Pending* pending : batch) {
    if (pending->completion) {
      try {
        pending->completion(pending->error);
      } catch (const std::exception& e) {
        logger("calls")->error("a journal completion failed: {}", e.what());
      }
      delete pending;
      continue;
    }
    if (lastWaiting != nullptr) {
      lastWaiting->next = pending;
    } else {
      firstWaiting = pending;
    }
    lastWaiting = pending;
  }
  if (firstWaiting != nullptr) {
    firstWaiting->release();
  }
}

}  // namespace sb::core

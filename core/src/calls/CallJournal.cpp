#include <switchboard/core/calls/CallJournal.h>

#include <switchboard/core/log/Logging.h>

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

void CallJournal::run(Job job) {
  std::future<void> done;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      throw std::runtime_error("the call journal is stopping");
    }
    queue_.push_back({std::move(job), {}});
    done = queue_.back().done.get_future();
  }
  wake_.notify_one();
  done.get();
}

void CallJournal::loop() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping, nothing left
      }
      while (!queue_.empty() && batch.size() < maxBatch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    runBatch(batch);
    batch.clear();
  }
}

void CallJournal::runBatch(std::vector<Pending>& batch) {
  std::vector<std::exception_ptr> errors(batch.size());
  std::vector<CommittedEvent> published;
  try {
    repository_.transact([&] {
      for (size_t i = 0; i < batch.size(); ++i) {
        const size_t mark = published.size();
        try {
          repository_.step([&] { batch[i].job(repository_, published); });
        } catch (...) {
          errors[i] = std::current_exception();
          published.resize(mark);
        }
      }
    });
  } catch (...) {
    // The commit itself failed: nothing of the batch is stored.
    const auto error = std::current_exception();
    for (auto& pending : batch) {
      pending.done.set_exception(error);
    }
    return;
  }
  if (listener_ && !published.empty()) {
    try {
      listener_(published);
    } catch (const std::exception& e) {
      logger("calls")->error("call event listener failed: {}", e.what());
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (errors[i]) {
      batch[i].done.set_exception(errors[i]);
    } else {
      batch[i].done.set_value();
    }
  }
}

}  // namespace sb::core

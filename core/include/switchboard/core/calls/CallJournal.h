#pragma once

#include <switchboard/core/calls/CallRepository.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace sb::core {

/// An event as committed, with its call as that event left it.
struct CommittedEvent {
  StoredEvent event;
  CallRecord call;
  bool endedCall = false;  ///< this event ended the call
  std::string endBridge;   ///< why the bridge must now be ended (contact-ended, agent-left), or empty
};

/// The single writer of calls and timelines. SQLite has one writer, and a
/// commit per webhook caps the host at a fraction of its HTTP ceiling
/// (architecture.md), so every write runs here: one thread takes whatever
/// jobs are waiting (up to maxBatch), runs each in its own savepoint inside
/// one transaction, commits once, and only then releases the callers. A
/// caller is answered only after its write is durable.
/// THREADING: run() from any thread; the listener runs on the journal thread.
class CallJournal {
 public:
  /// A job writes through the repository and appends what it wants
  /// published to `published` (in order).
  using Job = std::function<void(CallRepository&, std::vector<CommittedEvent>& published)>;
  /// Told, after each commit, what the batch published (in commit order).
  using Listener = std::function<void(const std::vector<CommittedEvent>&)>;

  explicit CallJournal(CallRepository& repository, size_t maxBatch = 256);
  ~CallJournal();
  CallJournal(const CallJournal&) = delete;
  CallJournal& operator=(const CallJournal&) = delete;

  /// Set before the first run().
  void setListener(Listener listener) { listener_ = std::move(listener); }

  /// Runs `job` in the next batch and waits for its commit. Rethrows what
  /// the job threw (its writes undone, the rest of the batch unaffected), or
  /// the commit's error.
  void run(Job job);

  /// Finishes the queued jobs and stops the thread (the destructor does too).
  void stop();

 private:
  struct Pending {
    Job job;
    std::promise<void> done;
  };
  void loop();
  void runBatch(std::vector<Pending>& batch);

  CallRepository& repository_;
  size_t maxBatch_;
  Listener listener_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::core

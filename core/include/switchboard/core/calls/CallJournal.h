#pragma once

#include <switchboard/core/calls/CallRepository.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
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
  /// Told each committed batch's size and commit time (metrics). Set before
  /// the first run().
  void setBatchObserver(std::function<void(size_t jobs, double seconds)> observer) {
    batchObserver_ = std::move(observer);
  }

  /// Runs `job` in the next batch and waits for its commit. Rethrows what
  /// the job threw (its writes undone, the rest of the batch unaffected), or
  /// the commit's error.
  void run(Job job);

  /// Told, on the journal's thread, that a submitted job is committed (null)
  /// or failed (what it or the commit threw). Keep it short: every caller
  /// waits on this thread.
  using Completion = std::function<void(std::exception_ptr)>;
  /// Runs `job` in the next batch like run(), without waiting: `done` is
  /// called after the commit. An HTTP server answers from there instead of
  /// parking a request thread per write. Throws when the journal stops.
  void submit(Job job, Completion done);

  /// Group commit under load: when fewer than `below` jobs are waiting,
  /// wait `linger` for more before running the batch (0 = never wait).
  void setLinger(std::chrono::microseconds linger, size_t below) {
    linger_ = linger;
    lingerBelow_ = below;
  }

  /// Finishes the queued jobs and stops the thread (the destructor does too).
  void stop();

 private:
  /// A caller waiting in run(), on its own stack. After a commit the writer
  /// wakes only the first caller of the batch and each woken caller wakes
  /// the next: waking a thread costs the waker several microseconds, and
  /// the writer is the one thread everything waits on.
  struct Pending {
    Job job;
    Completion completion;  ///< set for submit(): heap-owned, deleted once told
    std::exception_ptr error;
    Pending* next = nullptr;
    // Not std::binary_semaphore: libstdc++'s spins with sched_yield before
    // it sleeps, which costs a 2-core host more than the wake-up saves.
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;

    void release() {
      // Notify under the lock: the waiter may return (and its Pending go
      // away) as soon as the lock is free.
      std::lock_guard lock(mutex);
      done = true;
      cv.notify_one();
    }
    void acquire() {
      std::unique_lock lock(mutex);
      cv.wait(lock, [this] { return done; });
    }
  };
  void enqueue(Pending* pending);
  void loop();
  void runBatch(std::vector<Pending*>& batch);

  CallRepository& repository_;
  size_t maxBatch_;
  Listener listener_;
  std::chrono::microseconds linger_{0};
  size_t lingerBelow_ = 0;
  size_t lastBatch_ = 0;  ///< journal thread only
  std::function<void(size_t, double)> batchObserver_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::core

// The single writer: concurrent callers share commits, each caller gets its
// own job's outcome, and a failing job undoes only its own writes.
#include "support/TempDir.h"
#include "support/TestDatabase.h"
#include "unit/calls/CallEventScripts.h"

#include <switchboard/core/calls/CallJournal.h>
#include <switchboard/core/calls/SqliteCallRepository.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace {

sb::core::CallRecord callNamed(const std::string& id) {
  return sb::test::callRecord(id, "agent-" + id);
}

}  // namespace

TEST_CASE("journal: concurrent writers share commits and each sees its own outcome", "[calls]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "journal.db");
  sb::core::Database database(target.target());
  database.migrate();
  sb::core::SqliteCallRepository repository(database);
  sb::core::CallJournal journal(repository);
  std::atomic<size_t> batches{0};
  std::atomic<size_t> jobs{0};
  journal.setBatchObserver([&](size_t size, double) {
    ++batches;
    jobs += size;
  });
  journal.setLinger(std::chrono::microseconds(2000), 64);

  constexpr int kWriters = 32;
  std::atomic<int> failures{0};
  std::atomic<int> successes{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      try {
        journal.run([i](sb::core::CallRepository& repo, std::vector<sb::core::CommittedEvent>&) {
          repo.insert(callNamed("call_" + std::to_string(i)));
          if (i % 4 == 0) {
            throw std::runtime_error("job " + std::to_string(i) + " fails after its write");
          }
        });
        ++successes;
      } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "job " + std::to_string(i) + " fails after its write");
        ++failures;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  CHECK(successes == kWriters * 3 / 4);
  CHECK(failures == kWriters / 4);
  CHECK(jobs == kWriters);
  CHECK(batches < static_cast<size_t>(kWriters));  // commits were shared
  for (int i = 0; i < kWriters; ++i) {
    // A failed job's insert was undone; the others landed.
    CHECK(repository.find("call_" + std::to_string(i)).has_value() == (i % 4 != 0));
  }
}

TEST_CASE("journal: a lone write does not wait for company", "[calls]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "journal.db");
  sb::core::Database database(target.target());
  database.migrate();
  sb::core::SqliteCallRepository repository(database);
  sb::core::CallJournal journal(repository);
  journal.setLinger(std::chrono::microseconds(500000), 64);  // half a second, if it were applied
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    journal.run([i](sb::core::CallRepository& repo, std::vector<sb::core::CommittedEvent>&) {
      repo.insert(callNamed("solo_" + std::to_string(i)));
    });
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(400));
}

TEST_CASE("journal: a submitted job is told after its commit, on the journal's thread", "[calls]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "journal.db");
  sb::core::Database database(target.target());
  database.migrate();
  sb::core::SqliteCallRepository repository(database);
  sb::core::CallJournal journal(repository);

  constexpr int kJobs = 200;
  std::mutex mutex;
  std::condition_variable allTold;
  int told = 0;
  int failed = 0;
  bool committedWhenTold = true;
  std::thread::id caller = std::this_thread::get_id();
  bool toldOnCaller = false;
  for (int i = 0; i < kJobs; ++i) {
    journal.submit(
        [i](sb::core::CallRepository& repo, std::vector<sb::core::CommittedEvent>&) {
          repo.insert(callNamed("async_" + std::to_string(i)));
          if (i % 10 == 0) {
            throw std::runtime_error("job " + std::to_string(i) + " fails");
          }
        },
        [&, i](std::exception_ptr error) {
          std::lock_guard lock(mutex);
          if (std::this_thread::get_id() == caller) toldOnCaller = true;
          if (error) {
            ++failed;
          } else if (!repository.find("async_" + std::to_string(i))) {
            // Read on the journal's own connection: the job's write is
            // there when its completion runs.
            committedWhenTold = false;
          }
          if (++told == kJobs) allTold.notify_one();
        });
  }
  {
    std::unique_lock lock(mutex);
    REQUIRE(allTold.wait_for(lock, std::chrono::seconds(10), [&] { return told == kJobs; }));
  }
  CHECK(failed == kJobs / 10);
  CHECK(committedWhenTold);
  CHECK_FALSE(toldOnCaller);
  // A sync caller after the submitted jobs sees them all committed.
  journal.run([](sb::core::CallRepository&, std::vector<sb::core::CommittedEvent>&) {});
  for (int i = 0; i < kJobs; ++i) {
    CHECK(repository.find("async_" + std::to_string(i)).has_value() == (i % 10 != 0));
  }
  journal.stop();
  CHECK_THROWS(journal.submit([](sb::core::CallRepository&, std::vector<sb::core::CommittedEvent>&) {},
                              [](std::exception_ptr) {}));
}

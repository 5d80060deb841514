// Where the webhook path's writer time goes, without HTTP: stores and
// applies N mute events for 200 calls through CallIngest::ingest from
// THREADS concurrent callers (group commit, as under the HTTP server), and
// reports the journal's batches and the CPU per event.
//   sb_bench_journal [EVENTS=100000] [THREADS=64] [DB=/tmp/sb_journal_bench.db]
#include <switchboard/core/calls/CallService.h>
#include <switchboard/core/calls/SqliteCallRepository.h>
#include <switchboard/core/contacts/SqliteContactRepository.h>
#include <switchboard/core/contacts/SqliteDncRepository.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  const int events = argc > 1 ? std::stoi(argv[1]) : 100000;
  const int threads = argc > 2 ? std::stoi(argv[2]) : 64;
  const std::string path = argc > 3 ? argv[3] : "/tmp/sb_journal_bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  sb::core::Database database(path);
  database.migrate();
  sb::core::SqliteContactRepository contactRepository(database);
  sb::core::SqliteDncRepository dncRepository(database);
  sb::core::ContactService contacts(contactRepository, dncRepository, {});
  sb::core::SqliteCallRepository callRepository(database);
  sb::core::Metrics metrics;
  sb::core::CallService calls(callRepository, contacts, metrics, {});
  constexpr int kCalls = 200;
  callRepository.transact([&] {
    for (int i = 0; i < kCalls; ++i) {
      sb::core::CallRecord call;
      call.id = "call_" + std::to_string(i);
      call.agentId = "agent-" + std::to_string(i);
      call.provider = "sim";
      call.toE164 = "+1555000" + std::to_string(1000 + i);
      call.fromE164 = "+15550009999";
      call.conferenceName = "COLD_CALL_" + call.id;
      call.sessionId = "sess_" + call.id;
      call.createdAt = 1'700'000'000'000;
      callRepository.insert(call);
    }
  });
  std::atomic<int> next{0};
  const auto wall = std::chrono::steady_clock::now();
  const std::clock_t cpu = std::clock();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int j = next++; j < events; j = next++) {
        const nlohmann::json event = {{"event_key", "bench-" + std::to_string(j)},
                                      {"type", "participant.muted"},
                                      {"call_id", "call_" + std::to_string(j % kCalls)},
                                      {"leg", "contact"},
                                      {"muted", (j / kCalls) % 2 == 0},
                                      {"occurred_at_ms", 1'700'000'000'000 + j},
                                      {"sequence", j}};
        calls.ingest().ingest("sim", nlohmann::json::array({event}));
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  const double cpuSeconds = static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC;
  const std::string text = metrics.render();
  auto value = [&](const std::string& name) {
    const auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? 0.0 : std::stod(text.substr(at + name.size() + 2));
  };
  std::printf("%d events, %d callers: %.0f events/s, process CPU %.1f us/event, %.0f batches of %.1f\n", events,
              threads, events / seconds, cpuSeconds * 1e6 / events, value("switchboard_journal_batch_jobs_count"),
              value("switchboard_journal_batch_jobs_sum") / value("switchboard_journal_batch_jobs_count"));
  return 0;
}

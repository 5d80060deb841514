#include "support/LoadShape.h"

#include "support/ApiClient.h"

#include <atomic>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

namespace sb::test {

LoadResult runOriginalShape(uint16_t port, const std::string& adminKey, const LoadShape& shape) {
  const auto deadline = std::chrono::steady_clock::now() + shape.duration;
  std::atomic<int> requests{0};
  std::mutex failuresMutex;
  LoadResult result;
  std::vector<std::thread> users;
  for (int u = 0; u < shape.users; ++u) {
    users.emplace_back([&, u] {
      const ApiClient board(port, adminKey);
      std::mt19937 rng(static_cast<unsigned>(u));
      std::discrete_distribution<int> task({3, 1, 1});
      std::uniform_int_distribution<int64_t> think(shape.thinkMin.count(), shape.thinkMax.count());
      std::this_thread::sleep_for(std::chrono::milliseconds(think(rng) / 3));  // not in lockstep
      std::deque<std::string> live;
      int64_t n = 0;
      while (std::chrono::steady_clock::now() < deadline) {
        const int pick = live.empty() ? 0 : task(rng);
        ApiReply reply;
        if (pick == 0) {
          reply = board.post("/api/v1/cold-call/initiate",
                             {{"to_phone", "+1555" + std::to_string(shape.firstNumber + u * 10000 + n++)}});
          if (reply.status == 201) live.push_back(reply.json["conference_sid"]);
        } else if (pick == 1) {
          reply = board.get("/api/v1/cold-call/status/" + live[static_cast<size_t>(rng()) % live.size()]);
        } else {
          reply = board.post("/api/v1/cold-call/end", {{"conference_sid", live.front()}});
          live.pop_front();
        }
        ++requests;
        if (reply.status != 200 && reply.status != 201) {
          std::lock_guard lock(failuresMutex);
          result.failures.push_back(std::to_string(reply.status) + " " + reply.body);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(think(rng)));
      }
    });
  }
  for (auto& user : users) user.join();
  result.requests = requests.load();
  return result;
}

}  // namespace sb::test

#include <switchboard/core/plugin/OperationDeadline.h>

#include <cstdint>

namespace sb::core {
namespace {

thread_local std::optional<std::chrono::steady_clock::time_point> threadDeadline;
thread_local int64_t threadBudgetMs = 0;  // a plain integer: nothing to throw at thread start

}  // namespace

OperationDeadline::OperationDeadline(std::chrono::milliseconds budget)
    : previous_(threadDeadline), previousBudget_(threadBudgetMs) {
  const auto at = std::chrono::steady_clock::now() + budget;
  if (!threadDeadline || at < *threadDeadline) {
    threadDeadline = at;
    threadBudgetMs = budget.count();
  }
}

OperationDeadline::~OperationDeadline() {
  threadDeadline = previous_;
  threadBudgetMs = previousBudget_.count();
}

std::optional<std::chrono::steady_clock::time_point> OperationDeadline::current() {
  return threadDeadline;
}

std::chrono::milliseconds OperationDeadline::budget() {
  return std::chrono::milliseconds(threadDeadline ? threadBudgetMs : 0);
}

}  // namespace sb::core

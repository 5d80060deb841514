#include <switchboard/core/plugin/OperationDeadline.h>

#include <cstdint>

namespace sb::core {
namespace {

thread_local std::optional<std::chrono::steady_clock::time_point> deadline;
thread_local int64_t deadlineBudgetMs = 0;  // a plain integer: nothing to throw at thread start

}  // namespace

OperationDeadline::OperationDeadline(std::chrono::milliseconds budget)
    : previous_(deadline), previousBudget_(deadlineBudgetMs) {
  const auto at = std::chrono::steady_clock::now() + budget;
  if (!deadline || at < *deadline) {
    deadline = at;
    deadlineBudgetMs = budget.count();
  }
}

OperationDeadline::~OperationDeadline() {
  deadline = previous_;
  deadlineBudgetMs = previousBudget_.count();
}

std::optional<std::chrono::steady_clock::time_point> OperationDeadline::current() {
  return deadline;
}

std::chrono::milliseconds OperationDeadline::budget() {
  return std::chrono::milliseconds(deadline ? deadlineBudgetMs : 0);
}

}  // namespace sb::core

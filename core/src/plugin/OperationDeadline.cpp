#include <switchboard/core/plugin/OperationDeadline.h>

#include <algorithm>

namespace sb::core {
namespace {

thread_local std::optional<std::chrono::steady_clock::time_point> deadline;
thread_local std::chrono::milliseconds deadlineBudget{0};

}  // namespace

OperationDeadline::OperationDeadline(std::chrono::milliseconds budget)
    : previous_(deadline), previousBudget_(deadlineBudget) {
  const auto at = std::chrono::steady_clock::now() + budget;
  if (!deadline || at < *deadline) {
    deadline = at;
    deadlineBudget = budget;
  }
}

OperationDeadline::~OperationDeadline() {
  deadline = previous_;
  deadlineBudget = previousBudget_;
}

std::optional<std::chrono::steady_clock::time_point> OperationDeadline::current() {
  return deadline;
}

std::chrono::milliseconds OperationDeadline::budget() {
  return deadline ? deadlineBudget : std::chrono::milliseconds(0);
}

}  // namespace sb::core

#pragma once

#include <chrono>
#include <optional>

namespace sb::core {

/// The time by which the plugin operation running on this thread must be
/// done (plugins.operation_timeout_ms). The host services a plugin waits on
/// (http_send: its timeouts and its retries) stop there, so a slow or silent
/// provider costs the caller at most the deadline and a clear error, not
/// every timeout and retry in turn. A plugin that blocks in its own code is
/// not interrupted (nothing can safely stop code in the host's process);
/// ProviderProxy logs it. Nests: an inner deadline never extends an outer.
/// THREADING: per thread.
class OperationDeadline {
 public:
  explicit OperationDeadline(std::chrono::milliseconds budget);
  ~OperationDeadline();
  OperationDeadline(const OperationDeadline&) = delete;
  OperationDeadline& operator=(const OperationDeadline&) = delete;

  /// When the operation on this thread must end; nullopt outside any.
  static std::optional<std::chrono::steady_clock::time_point> current();
  /// The budget the current deadline was set with (0 outside any).
  static std::chrono::milliseconds budget();

 private:
  std::optional<std::chrono::steady_clock::time_point> previous_;
  std::chrono::milliseconds previousBudget_;
};

}  // namespace sb::core

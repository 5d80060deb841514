#pragma once

#include <string>

namespace sb::core {

/// Marks, for the fatal-signal handler, that this thread is inside a
/// plugin's callback: a crash there is reported with the plugin's id and
/// the operation. Nests (the innermost wins); costs two small copies.
/// THREADING: per thread.
class PluginCallScope {
 public:
  PluginCallScope(const std::string& pluginId, const char* operation);
  ~PluginCallScope();
  PluginCallScope(const PluginCallScope&) = delete;
  PluginCallScope& operator=(const PluginCallScope&) = delete;

 private:
  char previousPlugin_[64];
  char previousOperation_[64];
};

/// Installs handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT that
/// write (async-signal-safe) one line to stderr naming the plugin and the
/// operation the crashing thread was running (or "outside any plugin
/// call"), flush the log (bounded by an alarm, should the crash have
/// happened inside logging), append the same line to `logFile` when set,
/// and re-raise the signal, so that the exit status and a core dump are
/// what they would have been. Call once, after logging is configured.
void installCrashReport(const std::string& logFile);

/// The line the handler writes for `signal` in the current thread (for
/// tests; the handler builds the same text without allocating).
std::string crashLine(int signal);

}  // namespace sb::core

#include <switchboard/core/plugin/CrashReport.h>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

namespace sb::core {
namespace {

constexpr size_t kNameSize = 64;

/// Which plugin callback this thread is in; read by the signal handler, so
/// plain fixed-size arrays (no allocation, no locks).
thread_local char tPlugin[kNameSize] = {};
thread_local char tOperation[kNameSize] = {};

int gLogFd = -1;
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

void copyName(char* out, const char* in) {
  size_t i = 0;
  for (; in != nullptr && in[i] != '\0' && i + 1 < kNameSize; ++i) {
    out[i] = in[i];
  }
  out[i] = '\0';
}

const char* signalName(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    default: return "signal";
  }
}

/// Appends `text` to `out` (capacity `size`, `used` so far); no allocation.
void append(char* out, size_t size, size_t& used, const char* text) {
  for (size_t i = 0; text[i] != '\0' && used + 1 < size; ++i) {
    out[used++] = text[i];
  }
  out[used] = '\0';
}

size_t formatLine(int signal, char* out, size_t size) {
  size_t used = 0;
  out[0] = '\0';
  append(out, size, used, "switchboard: fatal ");
  append(out, size, used, signalName(signal));
  if (tPlugin[0] != '\0') {
    append(out, size, used, " in plugin '");
    append(out, size, used, tPlugin);
    append(out, size, used, "' during '");
    append(out, size, used, tOperation);
    append(out, size, used,
           "'; the host stops with it (a plugin runs in the host's process: report this to the plugin's vendor)\n");
  } else {
    append(out, size, used, " outside any plugin call; the host stops\n");
  }
  return used;
}

void writeAll(int fd, const char* text, size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, text, size);
    if (written <= 0) {
      return;
    }
    text += written;
    size -= static_cast<size_t>(written);
  }
}

extern "C" void onFatalSignal(int signal) {
  char line[512];
  const size_t size = formatLine(signal, line, sizeof line);
  writeAll(STDERR_FILENO, line, size);
  if (gLogFd >= 0) {
    // Flushing takes the sinks' locks: if the crash came from inside
    // logging it would wait forever, so an alarm ends the wait (and the
    // process) after 2 s. Best effort, which is all a crashing process has.
    ::alarm(2);
    spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& logger) { logger->flush(); });
    ::alarm(0);
    writeAll(gLogFd, line, size);
  }
  // SA_RESETHAND restored the default action: the re-raised signal ends the
  // process as it would have without us (exit status, core dump).
  ::raise(signal);
}

}  // namespace

PluginCallScope::PluginCallScope(const std::string& pluginId, const char* operation) {
  std::memcpy(previousPlugin_, tPlugin, kNameSize);
  std::memcpy(previousOperation_, tOperation, kNameSize);
  copyName(tPlugin, pluginId.c_str());
  copyName(tOperation, operation);
}

PluginCallScope::~PluginCallScope() {
  std::memcpy(tPlugin, previousPlugin_, kNameSize);
  std::memcpy(tOperation, previousOperation_, kNameSize);
}

void installCrashReport(const std::string& logFile) {
  if (!logFile.empty()) {
    gLogFd = ::open(logFile.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  }
  struct sigaction action = {};
  action.sa_handler = onFatalSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_NODEFER;
  for (const int signal : kSignals) {
    ::sigaction(signal, &action, nullptr);
  }
}

std::string crashLine(int signal) {
  char line[512];
  const size_t size = formatLine(signal, line, sizeof line);
  return std::string(line, size);
}

}  // namespace sb::core

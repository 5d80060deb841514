#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>

namespace sb::core {

/// How log lines look: human text, or one JSON object per line.
enum class LogFormat { Text, Json };

struct LogOptions {
  LogFormat format = LogFormat::Text;
  std::string level = "info";  ///< trace|debug|info|warn|error|off
  std::string file;            ///< empty: stderr
};

/// Configures the process-wide sinks once; later loggers share them.
/// Throws std::invalid_argument naming a bad level or format.
void configureLogging(const LogOptions& options);

/// Parses "text" or "json".
LogFormat parseLogFormat(const std::string& text);

/// A named logger on the shared sinks ("http", "plugin.twilio", ...).
std::shared_ptr<spdlog::logger> logger(const std::string& name);

/// Escapes text for inclusion in a JSON string (without the quotes).
std::string jsonEscape(const std::string& text);
/// The same, appended to `out` (no allocation when `out` has room).
void appendJsonEscaped(std::string& out, std::string_view text);

}  // namespace sb::core

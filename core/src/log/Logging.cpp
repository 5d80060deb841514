#include <switchboard/core/log/Logging.h>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace sb::core {
namespace {

std::mutex gMutex;
std::vector<spdlog::sink_ptr> gSinks;
LogFormat gFormat = LogFormat::Text;
spdlog::level::level_enum gLevel = spdlog::level::info;

// %* prints the message JSON-escaped, so that the JSON pattern below stays
// valid whatever a message contains.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string escaped = jsonEscape(std::string(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

std::unique_ptr<spdlog::formatter> makeFormatter(LogFormat format) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == LogFormat::Json) {
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","msg":"%*"})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v");
  }
  return formatter;
}

void ensureSinksLocked() {
  if (gSinks.empty()) {
    gSinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    gSinks.back()->set_formatter(makeFormatter(gFormat));
  }
}

}  // namespace

LogFormat parseLogFormat(const std::string& text) {
  if (text == "text") return LogFormat::Text;
  if (text == "json") return LogFormat::Json;
  throw std::invalid_argument("log.format must be 'text' or 'json', got '" + text + "'");
}

void configureLogging(const LogOptions& options) {
  const auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    throw std::invalid_argument("log.level must be one of trace, debug, info, warn, error, off; got '" + options.level +
                                "'");
  }
  std::lock_guard lock(gMutex);
  gFormat = options.format;
  gLevel = level;
  gSinks.clear();
  if (options.file.empty()) {
    gSinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  } else {
    gSinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file));
    spdlog::flush_every(std::chrono::seconds(1));
  }
  gSinks.back()->set_formatter(makeFormatter(gFormat));
  spdlog::drop_all();
}

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  std::lock_guard lock(gMutex);
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  ensureSinksLocked();
  auto created = std::make_shared<spdlog::logger>(name, gSinks.begin(), gSinks.end());
  created->set_level(gLevel);
  // A warning reaches the file at once (an operator reading it during an
  // incident, a crash right after); the rest within a second (configure).
  created->flush_on(spdlog::level::warn);
  spdlog::register_logger(created);
  return created;
}

std::string jsonEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 8);
  appendJsonEscaped(out, text);
  return out;
}

void appendJsonEscaped(std::string& out, std::string_view text) {
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0x0f]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
}

}  // namespace sb::core

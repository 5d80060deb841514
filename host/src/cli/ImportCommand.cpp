#include "app/ConfigLoader.h"
#include "app/HostContext.h"
#include "cli/Cli.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/log/Logging.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace sb::host::cli {
namespace {

/// A one-line progress bar on stderr, drawn only on a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(uint64_t totalBytes) : total_(totalBytes), enabled_(::isatty(STDERR_FILENO) == 1) {}
  void update(uint64_t bytes, int64_t rows) {
    if (!enabled_ || total_ == 0) return;
    // A workbook reports the bytes its sheet inflates to: the bar stops
    // at full rather than run past it.
    const int percent = static_cast<int>(std::min<uint64_t>(bytes * 100 / total_, 100));
    const int width = 30;
    const int filled = percent * width / 100;
    std::fprintf(stderr, "\r[%-*s] %3d%%  %lld rows", width, std::string(static_cast<size_t>(filled), '#').c_str(),
                 percent, static_cast<long long>(rows));
    std::fflush(stderr);
  }
  void done() {
    if (enabled_) std::fprintf(stderr, "\r%*s\r", 60, "");
  }

 private:
  uint64_t total_;
  bool enabled_;
};

void printIssues(const nlohmann::json& report) {
  const auto issues = report.value("issues", nlohmann::json::array());
  for (const auto& issue : issues) {
    std::cout << "  row " << issue.value("row", 0) << " (line " << issue.value("line", 0) << ") "
              << issue.value("severity", "")
              << (issue.value("column", "").empty() ? "" : " [" + issue.value("column", "") + "]") << ": "
              << issue.value("reason", "");
    const std::string value = issue.value("value", "");
    if (!value.empty()) std::cout << "  value: \"" << value << "\"";
    std::cout << "\n";
  }
  if (report.value("issues_truncated", 0) > 0) {
    std::cout << "  ... and " << report.value("issues_truncated", 0) << " more issue(s) not listed\n";
  }
}

/// What the file's columns look like and a command line that maps them.
void printMappingHelp(const nlohmann::json& details) {
  std::cout << "  columns found:";
  const auto header = details.value("header", nlohmann::json::array());
  for (size_t i = 0; i < header.size(); ++i) {
    std::cout << (i == 0 ? " " : ", ") << "#" << i + 1 << " \"" << header[i].get<std::string>() << "\"";
  }
  std::cout << "\n";
  const auto preview = details.value("preview", nlohmann::json::array());
  if (!preview.empty()) {
    std::cout << "  first row:";
    for (size_t i = 0; i < preview[0].size(); ++i) {
      std::cout << (i == 0 ? " " : ", ") << "#" << i + 1 << " \"" << preview[0][i].get<std::string>() << "\"";
    }
    std::cout << "\n";
  }
  std::cout << "  say which column holds each field, e.g.: --map phone=\"Mobile Phone\" --map company=#3\n";
}

}  // namespace

int import(const Args& args, char** environment) {
  if (args.positional.empty()) {
    std::cerr << "switchboard import: give the file (CSV or .xlsx): switchboard import FILE [--list NAME] [--map "
                 "FIELD=COLUMN] [--sheet NAME]\n";
    return 2;
  }
  const std::string path = args.positional[0];
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << "switchboard import: cannot read '" << path << "'\n";
    return 2;
  }
  struct stat info {};
  const uint64_t size = ::stat(path.c_str(), &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;

  core::Settings settings = loadSettings(args.configRequest(environment));
  core::LogOptions quiet;
  quiet.level = "warn";
  core::configureLogging(quiet);
  HostContext context(std::move(settings));

  ProgressBar bar(size);
  const auto started = std::chrono::steady_clock::now();
  core::ImportOptions options;
  options.sheet = args.option("sheet");
  for (const auto& [name, value] : args.options) {
    if (name != "map") continue;
    try {
      options.columns.add(value);
    } catch (const core::DomainError& e) {
      throw UsageError(e.what());
    }
  }
  core::ContactList list;
  try {
    list = context.contacts().importList(
        file, args.option("list"), path, "cli", [&bar](uint64_t bytes, int64_t rows) { bar.update(bytes, rows); },
        options);
  } catch (const core::DomainError& e) {
    bar.done();
    std::cout << "Nothing imported: " << e.what() << "\n";
    if (e.kind() == core::DomainError::Kind::MappingNeeded) printMappingHelp(e.details());
    printIssues(e.details());
    return 1;
  }
  bar.done();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& report = list.report;
  std::cout << "Imported " << list.importedCount << " contact(s) into list '" << list.name << "' (id " << list.id
            << ")\n"
            << "  rows " << list.rowsTotal << ", skipped " << list.skippedCount << ", duplicates merged "
            << list.duplicateCount << ", unverified " << list.unverifiedCount << ", blank rows "
            << report.value("blank_rows", 0) << ", "
            << (report.contains("sheet") ? "sheet '" + report.value("sheet", "") + "'"
                                         : "delimiter " + report.value("delimiter", ""))
            << "\n";
  printIssues(report);
  if (args.flag("stats")) {
    struct rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    std::cout << "stats: seconds=" << seconds << " rows_per_second="
              << static_cast<int64_t>(static_cast<double>(list.rowsTotal) / std::max(seconds, 1e-9))
              << " peak_rss_mib=" << usage.ru_maxrss / 1024 << "\n";
  }
  return 0;
}

}  // namespace sb::host::cli

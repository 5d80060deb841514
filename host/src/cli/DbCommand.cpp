#include "app/ConfigKeys.h"
#include "app/ConfigLoader.h"
#include "cli/Cli.h"

#include <switchboard/core/storage/Database.h>
#include <switchboard/core/storage/DatabaseCopy.h>

#include <chrono>
#include <iomanip>
#include <iostream>

namespace sb::host::cli {

int db(const Args& args, char** environment) {
  const std::string action = args.positional.empty() ? "" : args.positional[0];
  if (action != "copy" || args.positional.size() != 1) {
    throw UsageError("db: the command is `db copy --to URL`");
  }
  const std::string to = args.option("to");
  if (to.empty()) {
    throw UsageError("db copy: --to URL is required (postgresql://user:password@host:5432/name, or a SQLite path)");
  }
  const core::Settings settings = loadSettings(args.configRequest(environment));
  core::Database source(databaseTarget(settings));
  core::Database target(to);
  if (source.displayName() == target.displayName()) {
    throw UsageError("db copy: --to names the database the configuration already uses");
  }
  std::cout << "copying " << source.displayName() << " to " << target.displayName()
            << " (stop the hosts first: rows written during the copy are not carried)\n";
  const auto started = std::chrono::steady_clock::now();
  int64_t total = 0;
  core::copyDatabase(source, target, [&](const std::string& table, int64_t rows) {
    total += rows;
    std::cout << "  " << std::left << std::setw(14) << table << std::right << std::setw(10) << rows << " row(s)\n"
              << std::flush;
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "copied " << total << " row(s) in " << std::fixed << std::setprecision(1) << seconds
            << " s; point database.url at " << target.displayName() << " and start the hosts\n";
  return 0;
}

}  // namespace sb::host::cli

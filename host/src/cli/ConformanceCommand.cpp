// switchboard conformance PLUGIN [--fixture FILE] [--json]: certifies a
// provider plugin as the host would run it (sdk/docs/CONFORMANCE.md).
#include "app/ConfigLoader.h"
#include "cli/Cli.h"
#include "conformance/ConformanceRun.h"

#include <switchboard/abi/provider_abi.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/PluginLoader.h>
#include <switchboard/core/plugin/PluginRefused.h>
#include <switchboard/version.h>

#include <charconv>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace sb::host::cli {
namespace {

using conformance::Verdict;

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::ostringstream out;
  out << std::put_time(&utc, "%Y-%m-%dT%H:%M:%SZ");
  return out.str();
}

/// A folder holding plugin.json is loaded as it is; anything else is an id
/// looked up on plugins.path, as serve finds the active provider.
core::LoadedPluginPtr loadPlugin(const std::string& which, const core::Settings& settings, const Args& args) {
  const std::filesystem::path folder(which);
  if (std::filesystem::is_regular_file(folder / "plugin.json")) {
    return core::PluginLoader::load(folder);
  }
  const auto discovery = core::PluginLoader::discover(pluginSearchPath(settings, executableDir(args.argv0)),
                                                      [&](const std::string& id) { return id == which; });
  for (const auto& refusal : discovery.refused) {
    if (refusal.id == which) {
      throw core::PluginRefused(refusal.reason);
    }
  }
  for (const auto& plugin : discovery.loaded) {
    if (plugin->id() == which) {
      return plugin;
    }
  }
  throw UsageError("no plugin '" + which +
                   "' on plugins.path, and no plugin.json in a folder of that name; give "
                   "the plugin's folder or its id (switchboard plugins lists them)");
}

/// --settle-ms: 0 to 600000.
int settleMs(const std::string& text) {
  int value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0 || value > 600000) {
    throw UsageError("--settle-ms takes milliseconds from 0 to 600000, not '" + text + "'");
  }
  return value;
}

void printCertificate(const conformance::Report& report, const nlohmann::ordered_json& subject) {
  std::cout << "Switchboard provider conformance\n\n";
  for (const auto& [key, value] : subject.items()) {
    std::cout << "  " << std::left << std::setw(10) << key
              << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
  }
  std::cout << "\n";
  for (const auto& check : report.checks) {
    std::cout << "  " << conformance::name(check.verdict) << "  " << check.name << "\n";
    if (!check.detail.empty() && check.verdict != Verdict::Pass) {
      std::cout << "        " << check.detail << "\n";
    }
  }
  const size_t total = report.checks.size();
  std::cout << "\n  " << report.count(Verdict::Pass) << " passed, " << report.count(Verdict::Fail) << " failed, "
            << report.count(Verdict::Skip) << " skipped of " << total << " checks\n";
  if (report.certified()) {
    std::cout << "  CONFORMS: every check passed\n";
  } else if (!report.failed()) {
    std::cout << "  PASSED WITH SKIPS: nothing failed, but the skipped checks above did not run\n";
  } else {
    std::cout << "  DOES NOT CONFORM: fix the failed checks above\n";
  }
}

}  // namespace

int conformanceCommand(const Args& args, char** environment) {
  if (args.positional.size() != 1) {
    throw UsageError("conformance takes one plugin: its folder (holding plugin.json) or its id");
  }
  const core::Settings settings = loadSettings(args.configRequest(environment));
  // The plugin's own log lines would bury the certificate; --verbose shows them.
  core::LogOptions logging;
  logging.level = args.flag("verbose") ? "debug" : "off";
  core::configureLogging(logging);

  core::LoadedPluginPtr plugin;
  try {
    plugin = loadPlugin(args.positional.front(), settings, args);
  } catch (const core::PluginRefused& e) {
    std::cout << "Switchboard provider conformance\n\n  FAIL  loads through the host's loader\n        " << e.what()
              << "\n\n  DOES NOT CONFORM: the host refuses this plugin\n";
    return 1;
  }
  // The plugin's section as serve would give it. Its webhook_base_url is the
  // configured public URL when there is one (a tunnel to a carrier's
  // sandbox, say, forwarding to http.host:http.port, where the run then
  // listens); else the run's own listener on a free local port.
  nlohmann::json config = settings.section("provider." + plugin->id());
  conformance::RunOptions options;
  if (!settings.getString("public_base_url").empty()) {
    options.publicBaseUrl = configuredPublicBaseUrl(settings);
    options.listenHost = settings.getString("http.host", "127.0.0.1");
    options.listenPort = static_cast<uint16_t>(settings.getInt("http.port", 8080));
  }
  std::optional<conformance::WebhookFixture> fixture;
  if (const std::string file = args.option("fixture"); !file.empty()) {
    try {
      fixture = conformance::readFixture(file, config);
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
  }
  options.to = args.option("to", options.to);
  options.from = args.option("from", options.from);
  options.operationDeadline = std::chrono::milliseconds(settings.getInt("plugins.operation_timeout_ms", 15000));
  options.settle = std::chrono::milliseconds(settleMs(args.option("settle-ms", "0")));

  const conformance::Report report = conformance::runConformance(plugin, config, fixture, options);
  const nlohmann::ordered_json subject = {
      {"plugin",
       plugin->id() + " " + plugin->version() + " (" + plugin->displayName() + ", " + plugin->manifest().vendor + ")"},
      {"abi", plugin->abiVersion()},
      {"folder", plugin->manifest().directory.string()},
      {"host", std::string("switchboard ") + SB_VERSION + " (provider ABI " + std::to_string(SB_ABI_MAJOR) + "." +
                   std::to_string(SB_ABI_MINOR) + ")"},
      {"fixture", fixture ? fixture->file.string() + " (" + std::to_string(fixture->webhooks.size()) + " webhooks)"
                          : std::string("none")},
      {"date", utcNow()}};
  if (args.flag("json")) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& check : report.checks) {
      checks.push_back({{"name", check.name}, {"verdict", conformance::name(check.verdict)}, {"detail", check.detail}});
    }
    std::cout << nlohmann::ordered_json{{"subject", subject},
                                        {"checks", checks},
                                        {"passed", report.count(Verdict::Pass)},
                                        {"failed", report.count(Verdict::Fail)},
                                        {"skipped", report.count(Verdict::Skip)},
                                        {"conforms", report.certified()}}
                     .dump(2)
              << "\n";
  } else {
    printCertificate(report, subject);
  }
  return report.failed() || (args.flag("strict") && !report.certified()) ? 1 : 0;
}

}  // namespace sb::host::cli

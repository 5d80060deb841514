#include "cli/ProviderCheck.h"

#include "app/HostContext.h"

#include <switchboard/core/net/HttpClient.h>
#include <switchboard/core/plugin/PluginLoader.h>
#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/plugin/ProviderProxy.h>

namespace sb::host::cli {

std::vector<std::string> activeProviderProblems(const LoadedConfig& loaded, const Args& args) {
  std::vector<std::string> problems = loaded.providerProblems;
  if (!problems.empty()) {
    return problems;  // creating it would only repeat them
  }
  const std::string id = loaded.settings.getString("provider", "sim");
  auto discovery = core::PluginLoader::discover(pluginSearchPath(loaded.settings, executableDir(args.argv0)),
                                                [&id](const std::string& each) { return each == id; });
  for (const auto& refused : discovery.refused) {
    if (refused.id == id) {
      problems.push_back("plugin '" + id + "' was refused: " + refused.reason);
      return problems;
    }
  }
  if (discovery.loaded.empty()) {
    return problems;  // a missing plugin is among loaded.providerProblems
  }
  try {
    core::ProviderProxy provider(
        discovery.loaded.front(), providerSection(loaded.settings, id, configuredPublicBaseUrl(loaded.settings)),
        std::make_shared<const core::HttpClient>(HostContext::httpClientOptions(loaded.settings)));
  } catch (const core::ProviderError& e) {
    problems.push_back("provider '" + id + "' refused its configuration: " + e.what());
  }
  return problems;
}

}  // namespace sb::host::cli

#pragma once

#include <switchboard/abi/provider_abi.h>
#include <switchboard/core/plugin/PluginManifest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace sb::core {

/// A plugin library that passed every check: mapped, negotiated, its table
/// validated. Holding a shared_ptr keeps the library mapped; production code
/// never drops the last one (plugins are never unloaded, ABI_POLICY.md).
class LoadedPlugin {
 public:
  LoadedPlugin(PluginManifest manifest, std::shared_ptr<const void> library, const sb_provider_api* api,
               nlohmann::json capabilities);

  const PluginManifest& manifest() const noexcept { return manifest_; }
  const sb_provider_api& api() const noexcept { return *api_; }
  const std::string& id() const noexcept { return manifest_.id; }
  std::string displayName() const { return api_->display_name; }
  std::string version() const { return api_->version; }
  /// "MAJOR.MINOR" of the ABI the plugin was built against.
  std::string abiVersion() const;
  const nlohmann::json& capabilities() const noexcept { return capabilities_; }

 private:
  PluginManifest manifest_;
  std::shared_ptr<const void> library_;
  const sb_provider_api* api_;
  nlohmann::json capabilities_;
};

using LoadedPluginPtr = std::shared_ptr<const LoadedPlugin>;

}  // namespace sb::core

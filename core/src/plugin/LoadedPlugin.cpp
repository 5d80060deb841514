#include <switchboard/core/plugin/LoadedPlugin.h>

namespace sb::core {

LoadedPlugin::LoadedPlugin(PluginManifest manifest, std::shared_ptr<const void> library, const sb_provider_api* api,
                           nlohmann::json capabilities)
    : manifest_(std::move(manifest)), library_(std::move(library)), api_(api), capabilities_(std::move(capabilities)) {}

std::string LoadedPlugin::abiVersion() const {
  return std::to_string(api_->abi_major) + "." + std::to_string(api_->abi_minor);
}

}  // namespace sb::core

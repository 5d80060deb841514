#include <switchboard/core/plugin/PluginLoader.h>
#include <switchboard/core/plugin/PluginRefused.h>

#include <dlfcn.h>
#include <sys/stat.h>
#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstddef>
#include <map>

namespace sb::core {
namespace {

// The size of the v1.0 table: every field up to and including on_webhook.
constexpr size_t kMinTableSize = offsetof(sb_provider_api, on_webhook) + sizeof(sb_provider_api::on_webhook);

void refuseIfWorldWritable(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & S_IWOTH) != 0) {
    throw PluginRefused(path.string() + " is world-writable; fix its permissions (chmod o-w) before it can be loaded");
  }
}

std::string hostAbi() {
  return std::to_string(SB_ABI_MAJOR) + "." + std::to_string(SB_ABI_MINOR);
}

void checkAbiVersion(uint32_t major, uint32_t minor, const std::string& where) {
  if (major != SB_ABI_MAJOR) {
    throw PluginRefused(where + " is built for ABI major " + std::to_string(major) + ", this host speaks " + hostAbi() +
                        "; rebuild the plugin against SDK " + std::to_string(SB_ABI_MAJOR) + ".x");
  }
  if (minor > SB_ABI_MINOR) {
    throw PluginRefused(where + " needs ABI " + std::to_string(major) + "." + std::to_string(minor) +
                        ", newer than this host's " + hostAbi() + "; upgrade the host");
  }
}

void requirePointer(const void* pointer, const char* name, const std::string& library) {
  if (pointer == nullptr) {
    throw PluginRefused(library + ": required function or field '" + name + "' is null in its provider table");
  }
}

}  // namespace

LoadedPluginPtr PluginLoader::load(const std::filesystem::path& directory) {
  PluginManifest manifest = PluginManifest::read(directory);
  checkAbiVersion(manifest.abiMajor, manifest.abiMinor, "manifest of '" + manifest.id + "'");
  if (!std::filesystem::is_regular_file(manifest.library)) {
    throw PluginRefused("library " + manifest.library.string() + " named by the manifest does not exist");
  }
  refuseIfWorldWritable(manifest.library);
  refuseIfWorldWritable(directory / "plugin.json");

  auto library = std::make_shared<boost::dll::shared_library>();
  std::error_code error;
  // rtld_now surfaces unresolved symbols here, not mid-call; rtld_local keeps
  // one plugin's symbols from binding another's.
  library->load(manifest.library, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, error);
  if (error || !library->is_loaded()) {
    // The loader runs on one thread (see PluginLoader.h), so dlerror is safe.
    const char* detail = ::dlerror();  // NOLINT(concurrency-mt-unsafe)
    throw PluginRefused("cannot load " + manifest.library.string() + ": " +
                        (detail != nullptr ? std::string(detail) : error.message()));
  }
  const std::string name = manifest.library.filename().string();
  if (!library->has(SB_PROVIDER_ENTRY_V1_SYMBOL)) {
    throw PluginRefused(name + " does not export " SB_PROVIDER_ENTRY_V1_SYMBOL
                               "; build it with SB_DEFINE_PROVIDER and sb_add_provider_plugin()");
  }
  auto& entry = library->get<std::remove_pointer_t<sb_provider_entry_v1_fn>>(SB_PROVIDER_ENTRY_V1_SYMBOL);
  const sb_provider_api* api = entry(SB_ABI_MAJOR, SB_ABI_MINOR);
  if (api == nullptr) {
    throw PluginRefused(name + ": " SB_PROVIDER_ENTRY_V1_SYMBOL " returned no table for host ABI " + hostAbi() +
                        " (the plugin needs a newer host)");
  }
  if (api->struct_size < kMinTableSize) {
    throw PluginRefused(name + ": provider table is " + std::to_string(api->struct_size) + " bytes, smaller than the " +
                        std::to_string(kMinTableSize) + " bytes of ABI 1.0");
  }
  checkAbiVersion(api->abi_major, api->abi_minor, name);
  requirePointer(api->id, "id", name);
  requirePointer(api->display_name, "display_name", name);
  requirePointer(api->version, "version", name);
  requirePointer(api->capabilities_json, "capabilities_json", name);
  requirePointer(reinterpret_cast<const void*>(api->create), "create", name);
  requirePointer(reinterpret_cast<const void*>(api->destroy), "destroy", name);
  requirePointer(reinterpret_cast<const void*>(api->invoke), "invoke", name);
  requirePointer(reinterpret_cast<const void*>(api->on_webhook), "on_webhook", name);
  if (manifest.id != api->id) {
    throw PluginRefused(name + ": library says its id is '" + std::string(api->id) + "' but plugin.json says '" +
                        manifest.id + "'");
  }
  nlohmann::json capabilities;
  try {
    capabilities = nlohmann::json::parse(api->capabilities_json);
  } catch (const nlohmann::json::parse_error& e) {
    throw PluginRefused(name + ": capabilities_json is not valid JSON (" + e.what() + ")");
  }
  if (!capabilities.is_object()) {
    throw PluginRefused(name + ": capabilities_json must be a JSON object");
  }
  return std::make_shared<const LoadedPlugin>(std::move(manifest), std::shared_ptr<const void>(library, library.get()),
                                              api, std::move(capabilities));
}

PluginDiscovery PluginLoader::discover(const std::vector<std::filesystem::path>& searchPaths) {
  PluginDiscovery result;
  std::map<std::string, std::filesystem::path> seen;
  for (const auto& searchPath : searchPaths) {
    std::error_code error;
    if (!std::filesystem::is_directory(searchPath, error)) {
      continue;
    }
    std::vector<std::filesystem::path> folders;
    for (const auto& entry : std::filesystem::directory_iterator(searchPath, error)) {
      if (entry.is_directory()) {
        folders.push_back(entry.path());
      }
    }
    std::sort(folders.begin(), folders.end());
    for (const auto& folder : folders) {
      std::string id;
      try {
        id = PluginManifest::read(folder).id;
        if (auto previous = seen.find(id); previous != seen.end()) {
          throw PluginRefused("duplicate plugin id '" + id + "': already loaded from " + previous->second.string());
        }
        auto plugin = load(folder);
        seen.emplace(id, folder);
        result.loaded.push_back(std::move(plugin));
      } catch (const PluginRefused& refused) {
        result.refused.push_back(PluginRefusal{folder, id, refused.what()});
      }
    }
  }
  return result;
}

}  // namespace sb::core

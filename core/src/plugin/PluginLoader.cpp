#include <switchboard/core/plugin/PluginLoader.h>
#include <switchboard/core/plugin/PluginRefused.h>
#include <switchboard/core/plugin/SdkSchemas.h>
#include <switchboard/sdk/json.hpp>

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <switchboard/core/plugin/CrashReport.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <map>
#include <thread>

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

/// Maps the library and calls its entry in a child process first: a
/// library whose constructors or entry crash, abort or hang is refused by
/// name instead of taking the host (or `switchboard plugins`) down with it.
/// Only what runs at load time is probed; a plugin's calls run in process.
void probeInChild(const std::filesystem::path& library) {
  const pid_t child = ::fork();
  if (child < 0) {
    return;  // cannot probe (out of processes): the real load still checks the rest
  }
  if (child == 0) {
    // The parent's fatal-signal handlers (a test runner's, a sanitizer's)
    // must not run here: the probe's verdict is how the child ends.
    for (const int fatal : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) {
      ::signal(fatal, SIG_DFL);
    }
    // What the library prints while probed is not the parent's output (a
    // `plugins --json` reader, the host's log); the refusal says what happened.
    if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) {
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    }
    void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
      if (void* symbol = ::dlsym(handle, SB_PROVIDER_ENTRY_V1_SYMBOL)) {
        reinterpret_cast<sb_provider_entry_v1_fn>(symbol)(SB_ABI_MAJOR, SB_ABI_MINOR);
      }
    }
    ::_exit(0);  // a failed dlopen is reported by the real load, with dlerror's words
  }
  constexpr auto kProbeTimeout = std::chrono::seconds(10);
  const auto deadline = std::chrono::steady_clock::now() + kProbeTimeout;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child) {
      break;
    }
    if (done < 0) {
      return;  // reaped elsewhere (SIGCHLD ignored): nothing to tell
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      throw PluginRefused(library.string() + " did not finish loading within 10 s (a constructor or its entry hangs)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* name = ::sigdescr_np(signal);  // unlike strsignal, thread-safe
    throw PluginRefused(library.string() + " crashed while loading (signal " + std::to_string(signal) + ", " +
                        (name != nullptr ? name : "unknown signal") +
                        "; a constructor or its entry function is at fault)");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    throw PluginRefused(library.string() + " ended the process while loading (exit status " +
                        std::to_string(WEXITSTATUS(status)) + ")");
  }
}

/// A folder anyone may write to lets anyone replace the plugin in it.
void refuseWritableFolder(const std::filesystem::path& folder) {
  struct stat info {};
  if (::stat(folder.c_str(), &info) == 0 && (info.st_mode & S_IWOTH) != 0) {
    throw PluginRefused("plugin folder " + folder.string() +
                        " is world-writable; fix its permissions (chmod o-w) before it can be loaded");
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

/// The manifest and the table are written by one build from one
/// declaration (sb_add_provider_plugin); a mismatch means one of them came
/// from another build, and the host cannot tell which one is right.
void requireSameAsManifest(const std::string& library, const char* what, const std::string& inTable,
                           const std::string& inManifest) {
  if (inTable != inManifest) {
    throw PluginRefused(library + ": library says its " + what + " is '" + inTable + "' but plugin.json says '" +
                        inManifest + "'; rebuild the plugin so that both come from sb_add_provider_plugin()");
  }
}

nlohmann::json checkedCapabilities(const std::string& library, const char* text) {
  nlohmann::json capabilities;
  try {
    capabilities = sdk::json::parseBounded(text);
  } catch (const std::exception& e) {
    throw PluginRefused(library + ": capabilities_json is not valid JSON (" + e.what() + ")");
  }
  const std::vector<std::string> problems = sdkSchemaProblems("capabilities", capabilities);
  if (!problems.empty()) {
    std::string why;
    for (const auto& problem : problems) why += (why.empty() ? "" : "; ") + problem;
    throw PluginRefused(library + ": capabilities_json does not match the SDK's capabilities schema: " + why);
  }
  return capabilities;
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
  refuseWritableFolder(directory);
  refuseIfWorldWritable(manifest.library);
  refuseIfWorldWritable(directory / "plugin.json");
  probeInChild(manifest.library);

  const PluginCallScope scope(manifest.id, "load");
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
  requireSameAsManifest(name, "id", api->id, manifest.id);
  requireSameAsManifest(name, "name", api->display_name, manifest.name);
  requireSameAsManifest(name, "version", api->version, manifest.version);
  requireSameAsManifest(name, "ABI", std::to_string(api->abi_major) + "." + std::to_string(api->abi_minor),
                        std::to_string(manifest.abiMajor) + "." + std::to_string(manifest.abiMinor));
  nlohmann::json capabilities = checkedCapabilities(name, api->capabilities_json);
  return std::make_shared<const LoadedPlugin>(std::move(manifest), std::shared_ptr<const void>(library, library.get()),
                                              api, std::move(capabilities));
}

PluginDiscovery PluginLoader::discover(const std::vector<std::filesystem::path>& searchPaths,
                                       const std::function<bool(const std::string& id)>& shouldLoad) {
  PluginDiscovery result;
  // First every manifest, so that an id claimed twice is known before any
  // library is mapped: neither folder may win by sorting first.
  std::vector<PluginManifest> manifests;
  std::map<std::string, std::vector<std::filesystem::path>> folders;
  for (const auto& searchPath : searchPaths) {
    std::error_code error;
    if (!std::filesystem::is_directory(searchPath, error)) {
      continue;
    }
    std::vector<std::filesystem::path> candidates;
    for (const auto& entry : std::filesystem::directory_iterator(searchPath, error)) {
      if (entry.is_directory(error)) {
        candidates.push_back(entry.path());
      }
    }
    std::sort(candidates.begin(), candidates.end());
    for (const auto& folder : candidates) {
      try {
        refuseWritableFolder(folder);
        PluginManifest manifest = PluginManifest::read(folder);
        folders[manifest.id].push_back(folder);
        manifests.push_back(std::move(manifest));
      } catch (const std::exception& e) {  // whatever one folder holds, the others are still read
        result.refused.push_back(PluginRefusal{folder, "", e.what()});
      }
    }
  }
  for (auto& manifest : manifests) {
    const auto& claimants = folders[manifest.id];
    if (claimants.size() > 1) {
      std::string all;
      for (const auto& folder : claimants) {
        all += (all.empty() ? "" : ", ") + folder.string();
      }
      result.refused.push_back(PluginRefusal{
          manifest.directory, manifest.id,
          "duplicate plugin id '" + manifest.id + "' in " + all + "; none of them is loaded until one is removed"});
      continue;
    }
    if (shouldLoad && !shouldLoad(manifest.id)) {
      result.found.push_back(std::move(manifest));
      continue;
    }
    try {
      result.loaded.push_back(load(manifest.directory));
    } catch (const std::exception& e) {
      result.refused.push_back(PluginRefusal{manifest.directory, manifest.id, e.what()});
    }
  }
  return result;
}

}  // namespace sb::core

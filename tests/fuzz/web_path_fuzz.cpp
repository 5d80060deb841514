// libFuzzer target: the static file resolver. A web root with a file, a
// sub-folder, a link inside and a sibling whose name starts with the
// root's is laid out once; whatever path is asked for, what resolves is a
// regular file inside the root reached through no link.
#include "routes/WebPath.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>

#include <unistd.h>

namespace {

const std::filesystem::path& root() {
  static const std::filesystem::path made = [] {
    const auto base = std::filesystem::temp_directory_path() / ("sb-web-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(base / "web" / "vendor");
    std::filesystem::create_directories(base / "web-private");
    std::ofstream(base / "web" / "index.html") << "x";
    std::ofstream(base / "web" / "vendor" / "a.js") << "x";
    std::ofstream(base / "web-private" / "secret.txt") << "x";
    std::error_code ignored;
    std::filesystem::create_symlink(base / "web-private" / "secret.txt", base / "web" / "link.txt", ignored);
    return std::filesystem::canonical(base / "web");
  }();
  return made;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view relative(reinterpret_cast<const char*>(data), size);
  const auto resolved = sb::host::resolveWebPath(root(), relative);
  if (!resolved) return 0;
  const auto inside = resolved->lexically_relative(root());
  if (inside.empty() || *inside.begin() == "..") std::abort();
  for (auto at = root(); const auto& part : inside) {
    at /= part;
    if (std::filesystem::is_symlink(at)) std::abort();
  }
  if (!std::filesystem::is_regular_file(*resolved)) std::abort();
  return 0;
}

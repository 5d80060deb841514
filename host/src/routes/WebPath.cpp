#include "routes/WebPath.h"

#include <algorithm>

namespace sb::host {

std::optional<std::filesystem::path> resolveWebPath(const std::filesystem::path& root, std::string_view relative) {
  if (relative.empty() || relative.size() > 1024 ||
      relative.find_first_of(std::string_view("\0\\", 2)) != std::string_view::npos) {
    return std::nullopt;
  }
  std::filesystem::path candidate = root;
  std::error_code error;
  size_t start = 0;
  while (start <= relative.size()) {
    const size_t end = std::min(relative.find('/', start), relative.size());
    const std::string_view segment = relative.substr(start, end - start);
    start = end + 1;
    if (segment.empty() || segment == ".") {
      continue;
    }
    if (segment == "..") {
      return std::nullopt;
    }
    candidate /= std::filesystem::path(std::string(segment));
    const auto status = std::filesystem::symlink_status(candidate, error);
    if (error || std::filesystem::is_symlink(status)) {
      return std::nullopt;  // missing, unreadable, or a link
    }
  }
  // Belt and braces: compared as components, never as a string prefix.
  const auto [rootEnd, candidateAt] = std::mismatch(root.begin(), root.end(), candidate.begin(), candidate.end());
  if (rootEnd != root.end() || candidateAt == candidate.end()) {
    return std::nullopt;
  }
  if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(candidate, error)) || error) {
    return std::nullopt;
  }
  return candidate;
}

}  // namespace sb::host

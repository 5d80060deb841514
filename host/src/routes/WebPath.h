#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace sb::host {

/// The file a request for `relative` may read under `root` (an absolute,
/// canonical folder), or nothing. Refused: an empty path, NUL or backslash,
/// any ".." segment, a path that would leave the root compared component
/// by component (a sibling whose name starts with the root's is outside),
/// and any symbolic link on the way (a link inside the root could point
/// anywhere). The file itself must be a regular file.
std::optional<std::filesystem::path> resolveWebPath(const std::filesystem::path& root, std::string_view relative);

}  // namespace sb::host

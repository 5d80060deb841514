#pragma once

// What the tests that run `switchboard` (or a script) as a process of its
// own share: a free port to give it, and its files to read back.

#include <cstdint>
#include <filesystem>
#include <string>

namespace sb::test {

/// A port nothing listens on now (the kernel's pick).
uint16_t freePort();
/// The whole file (empty when it does not exist).
std::string slurp(const std::filesystem::path& file);

}  // namespace sb::test

#pragma once

#include "app/ConfigLoader.h"
#include "cli/Cli.h"

#include <string>
#include <vector>

namespace sb::host::cli {

/// What stops the active provider from starting, as `serve` would meet it:
/// its plugin missing or refused, a required key unset, and (when those
/// are fine) what the plugin's own create() refuses in its section (a
/// malformed account SID, a bad key). Empty when it would start. Used by
/// `config check` and `plugins`.
std::vector<std::string> activeProviderProblems(const LoadedConfig& loaded, const Args& args);

}  // namespace sb::host::cli

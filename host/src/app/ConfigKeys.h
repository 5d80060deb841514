#pragma once

#include <switchboard/core/config/ConfigKey.h>
#include <switchboard/core/config/Settings.h>

#include <vector>

namespace sb::host {

/// Every key the host itself reads, with its type, default and meaning: the
/// one list from which the defaults, `switchboard config keys`, the
/// checks of `config check` and docs/CONFIGURATION.md are made.
const std::vector<core::ConfigKey>& hostConfigKeys();

/// The host's built-in defaults as a Settings (the weakest layer).
core::Settings defaultSettings();

}  // namespace sb::host

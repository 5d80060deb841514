#pragma once

#include <switchboard/core/config/Settings.h>

#include <string>

namespace sb::host {

/// Every host configuration key with its default, so that each one can be
/// overridden from the environment (Settings) and listed in the docs.
core::Settings defaultSettings();

/// Defaults, then the config file (if any), then SWITCHBOARD_* variables,
/// then *_file secrets. `configPath` empty means: $SWITCHBOARD_CONFIG if
/// set, else ./switchboard.ini if it exists, else defaults only.
core::Settings loadSettings(const std::string& configPath, char** environment);

}  // namespace sb::host

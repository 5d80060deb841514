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

/// What core::Database opens: `database.url` when set (PostgreSQL), else
/// the SQLite file at `database.path`.
std::string databaseTarget(const core::Settings& settings);

}  // namespace sb::host

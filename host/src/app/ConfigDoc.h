#pragma once

#include <switchboard/core/config/ConfigKey.h>

#include <string>
#include <vector>

namespace sb::host {

/// The Markdown table of `keys` as docs/CONFIGURATION.md shows it (key,
/// type, default, meaning). The doc's tables are this function's output,
/// between `<!-- keys:NAME -->` and `<!-- /keys -->` markers, and a test
/// holds them equal: regenerate with scripts/config-doc.sh.
std::string keysMarkdown(const std::vector<core::ConfigKey>& keys);

/// "integer 1..64", "boolean", "one of text, json", "text".
std::string keyTypeText(const core::ConfigKey& key);
/// "required", "`8080`", "(none)" or the key's described default.
std::string keyDefaultText(const core::ConfigKey& key);

/// Replaces the region `<!-- keys:NAME -->` … `<!-- /keys -->` of `doc`
/// with `table`; false when the doc has no such region.
bool replaceKeysRegion(std::string& doc, const std::string& name, const std::string& table);

}  // namespace sb::host

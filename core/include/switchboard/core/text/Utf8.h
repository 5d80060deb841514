#pragma once

#include <string>
#include <string_view>

namespace sb::core {

/// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, no
/// code point past U+10FFFF). Every text a client may get stored or echoed
/// is checked with this at the edge.
bool isValidUtf8(std::string_view text);

/// At most `maxBytes` of `text`, cut before a character rather than inside
/// one (a valid input stays valid).
std::string truncateUtf8(std::string_view text, size_t maxBytes);

/// `text` with every byte that does not start a well-formed sequence
/// replaced by U+FFFD: for echoing what a client sent in an error message.
std::string sanitizeUtf8(std::string_view text);

}  // namespace sb::core

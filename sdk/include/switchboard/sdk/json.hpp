// JSON from outside, parsed with its nesting bounded. nlohmann parses and
// destroys iteratively, but copying, comparing and dumping a value recurse
// once per level: a 300 KB body nested 150,000 deep crashes whoever copies
// it. Everything the host or a plugin parses from a client, a provider or
// another module goes through parseBounded().
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sb::sdk::json {

/// The default bound: far beyond any document the APIs define (the deepest
/// is 4 levels), far below what a recursive copy survives on a worker stack.
inline constexpr size_t kDefaultMaxDepth = 64;

/// Thrown by parseBounded() for a document nested deeper than allowed.
class TooDeep : public std::runtime_error {
 public:
  explicit TooDeep(size_t maxDepth)
      : std::runtime_error("JSON nested deeper than " + std::to_string(maxDepth) + " levels"), maxDepth_(maxDepth) {}
  size_t maxDepth() const noexcept { return maxDepth_; }

 private:
  size_t maxDepth_;
};

/// True when arrays and objects in `text` nest deeper than `maxDepth`. A
/// linear scan that skips strings (and the escapes in them); it stops at
/// the first level too deep, so a hostile document costs no more than its
/// prefix. Text that is not JSON may be judged either way: the parser
/// refuses it anyway.
inline bool nestingExceeds(std::string_view text, size_t maxDepth) noexcept {
  size_t depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        inString = false;
      }
      continue;
    }
    switch (c) {
      case '"': inString = true; break;
      case '[':
      case '{':
        if (++depth > maxDepth) {
          return true;
        }
        break;
      case ']':
      case '}':
        if (depth > 0) {
          --depth;
        }
        break;
      default: break;
    }
  }
  return false;
}

/// Parses `text` as JSON; throws TooDeep past `maxDepth` levels and
/// nlohmann::json::exception for anything else it refuses (syntax, invalid
/// UTF-8, a number out of range).
inline nlohmann::json parseBounded(std::string_view text, size_t maxDepth = kDefaultMaxDepth) {
  if (nestingExceeds(text, maxDepth)) {
    throw TooDeep(maxDepth);
  }
  return nlohmann::json::parse(text);
}

/// `value` as compact JSON text that never throws: a string holding invalid
/// UTF-8 (from a header, a file, a provider) is written with U+FFFD in
/// place of the bad bytes instead of failing the whole answer or batch.
inline std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sb::sdk::json

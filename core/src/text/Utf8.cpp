#include <switchboard/core/text/Utf8.h>

#include <array>
#include <cstdint>

namespace sb::core {
namespace {

/// The length of the well-formed sequence at `i`, or 0 if there is none.
size_t sequenceAt(const unsigned char* bytes, size_t size, size_t i) {
  const unsigned char c = bytes[i];
  if (c < 0x80) {
    return 1;
  }
  size_t extra = 0;
  uint32_t codepoint = 0;
  if ((c & 0xE0) == 0xC0) {
    extra = 1;
    codepoint = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2;
    codepoint = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3;
    codepoint = c & 0x07;
  } else {
    return 0;
  }
  for (size_t k = 1; k <= extra; ++k) {
    if (i + k >= size || (bytes[i + k] & 0xC0) != 0x80) {
      return 0;
    }
    codepoint = (codepoint << 6) | (bytes[i + k] & 0x3F);
  }
  static constexpr std::array<uint32_t, 4> kMinimum = {0, 0x80, 0x800, 0x10000};
  if (codepoint < kMinimum[extra] || codepoint > 0x10FFFF || (codepoint >= 0xD800 && codepoint <= 0xDFFF)) {
    return 0;
  }
  return extra + 1;
}

}  // namespace

bool isValidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    const size_t length = sequenceAt(bytes, text.size(), i);
    if (length == 0) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string truncateUtf8(std::string_view text, size_t maxBytes) {
  if (text.size() <= maxBytes) {
    return std::string(text);
  }
  size_t cut = maxBytes;
  // Back off continuation bytes so the cut falls before a lead byte.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return std::string(text.substr(0, cut));
}

std::string sanitizeUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t length = sequenceAt(bytes, text.size(), i);
    if (length == 0) {
      out.append("\xEF\xBF\xBD");  // U+FFFD
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace sb::core

// libFuzzer target: the UTF-8 checks and cuts that guard every text the
// host stores or echoes. A cut of valid text is valid and a prefix; the
// sanitized form of anything is valid, and valid text sanitizes to itself.
#include <switchboard/core/text/Utf8.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool valid = sb::core::isValidUtf8(text);
  const std::string clean = sb::core::sanitizeUtf8(text);
  if (!sb::core::isValidUtf8(clean)) std::abort();
  if (valid && clean != text) std::abort();
  for (size_t limit : {size_t{0}, size_t{1}, size / 2, size > 0 ? size - 1 : 0, size_t{200}}) {
    const std::string cut = sb::core::truncateUtf8(text, limit);
    if (cut.size() > limit && cut.size() != text.size()) std::abort();
    if (text.substr(0, cut.size()) != cut) std::abort();
    if (valid && !sb::core::isValidUtf8(cut)) std::abort();
    if (valid && limit < size && limit - cut.size() >= 4) std::abort();
  }
  return 0;
}

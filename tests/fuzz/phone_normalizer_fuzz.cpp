// libFuzzer target: the phone normalizer never throws or crashes; what it
// accepts is a well-formed E.164 number, and NANP numbers it accepts agree
// with libphonenumber alone (the fast path is only an optimization).
#include <switchboard/core/contacts/PhoneNormalizer.h>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sb::core::PhoneNormalizer phones("US");
  const std::string text(reinterpret_cast<const char*>(data), size);
  sb::core::PhoneProblem problem;
  const auto result = phones.normalize(text, &problem);
  if (!result) {
    if (problem.reason.empty()) std::abort();
    return 0;
  }
  const std::string& e164 = result->e164;
  if (e164.size() < 3 || e164.size() > 16 || e164[0] != '+' ||
      e164.find_first_not_of("0123456789", 1) != std::string::npos) {
    std::abort();
  }
  // Plain inputs (no trimming or spreadsheet repairs needed) must get the
  // same answer from libphonenumber alone.
  const bool scientific = text.find_first_of("eE") != std::string::npos && text.find("ext") == std::string::npos;
  if (!text.empty() && !scientific && text.find_first_not_of("0123456789+()-. /x#ext") == std::string::npos &&
      text[0] != ' ' && text.back() != ' ') {
    const auto slow = phones.normalizeSlow(text, nullptr);
    if (!slow || slow->e164 != e164 || slow->extension != result->extension || slow->verified != result->verified ||
        slow->lineType != result->lineType) {
      std::abort();
    }
  }
  return 0;
}

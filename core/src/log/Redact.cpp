#include <switchboard/core/log/Redact.h>

#include <cctype>

namespace sb::core {

std::string maskPhoneNumbers(const std::string& text) {
  constexpr size_t kMinDigits = 7;
  constexpr size_t kKept = 2;
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) {
      ++end;
    }
    const size_t run = end - i;
    if (run >= kMinDigits) {
      out.append(run - kKept, '*');
      out.append(text, end - kKept, kKept);
    } else {
      out.append(text, i, run);
    }
    i = end;
  }
  return out;
}

}  // namespace sb::core

#include <switchboard/core/log/Redact.h>

#include <cctype>
#include <vector>

namespace sb::core {
namespace {

bool isDigit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

/// The length of a separator written inside a phone number at `at` ("212
/// 555-0100", "(212)555.0100", "%2B1%20212%20555"), or 0.
size_t separatorAt(const std::string& text, size_t at) {
  const char c = text[at];
  if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+' || c == '/') {
    return 1;
  }
  if (c == '%' && at + 2 < text.size() && text[at + 1] == '2') {
    switch (std::toupper(static_cast<unsigned char>(text[at + 2]))) {
      case '0':  // space
      case 'B':  // +
      case 'D':  // -
      case 'E':  // .
      case '8':  // (
      case '9':  // )
        return 3;
      default: return 0;
    }
  }
  return 0;
}

/// An ISO date (2026-12-02) has the shape of a short number: kept.
bool isIsoDate(const std::vector<size_t>& groups, const std::string& text, size_t start, size_t end) {
  if (groups.size() != 3 || groups[0] != 4 || groups[1] != 2 || groups[2] != 2) {
    return false;
  }
  return end - start == 10 && text[start + 4] == '-' && text[start + 7] == '-';
}

}  // namespace

std::string maskPhoneNumbers(const std::string& text) {
  constexpr size_t kMinDigits = 7;
  constexpr size_t kKept = 2;
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!isDigit(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    // A run of digits, possibly split by separators that each sit between
    // two digits: how numbers are written and URL-encoded.
    size_t end = i;
    std::vector<size_t> groups{0};
    while (end < text.size()) {
      if (isDigit(text[end])) {
        ++groups.back();
        ++end;
        continue;
      }
      const size_t separator = separatorAt(text, end);
      if (separator == 0 || end + separator >= text.size() || !isDigit(text[end + separator])) {
        break;
      }
      groups.push_back(0);
      end += separator;
    }
    size_t digits = 0;
    for (const size_t group : groups) {
      digits += group;
    }
    if (digits < kMinDigits || isIsoDate(groups, text, i, end)) {
      out.append(text, i, end - i);
      i = end;
      continue;
    }
    // Every digit but the last kKept becomes '*'; separators stay.
    size_t seen = 0;
    for (size_t k = i; k < end;) {
      if (isDigit(text[k])) {
        out.push_back(++seen > digits - kKept ? text[k] : '*');
        ++k;
      } else {
        const size_t separator = separatorAt(text, k);
        out.append(text, k, separator);
        k += separator;
      }
    }
    i = end;
  }
  return out;
}

}  // namespace sb::core

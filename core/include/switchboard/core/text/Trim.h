#pragma once

#include <string>
#include <string_view>

namespace sb::core {

/// `text` without leading and trailing spaces, tabs and line ends.
inline std::string_view trimView(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) {
    return {};
  }
  const auto end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

inline std::string trim(std::string_view text) {
  return std::string(trimView(text));
}

}  // namespace sb::core

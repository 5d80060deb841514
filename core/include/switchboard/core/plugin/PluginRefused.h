#pragma once

#include <stdexcept>
#include <string>

namespace sb::core {

/// Why the host refused to load a plugin; the message is the one log line an
/// operator reads, so it says what is wrong and, where possible, what to do.
class PluginRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sb::core

#pragma once

#include <string>

namespace sb::core {

/// Masks phone numbers in free text for logs: every run of 7 or more digits
/// (with an optional leading '+' or "%2B") keeps only its last 2 digits
/// ("+15551234567" -> "+*********67").
std::string maskPhoneNumbers(const std::string& text);

}  // namespace sb::core

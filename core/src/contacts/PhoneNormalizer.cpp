#include <switchboard/core/contacts/PhoneNormalizer.h>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cctype>
#include <set>
#include <stdexcept>

namespace sb::core {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

const char* lineTypeName(PhoneNumberUtil::PhoneNumberType type) {
  switch (type) {
    case PhoneNumberUtil::FIXED_LINE: return "fixed_line";
    case PhoneNumberUtil::MOBILE: return "mobile";
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return "fixed_line_or_mobile";
    case PhoneNumberUtil::TOLL_FREE: return "toll_free";
    case PhoneNumberUtil::PREMIUM_RATE: return "premium_rate";
    case PhoneNumberUtil::SHARED_COST: return "shared_cost";
    case PhoneNumberUtil::VOIP: return "voip";
    case PhoneNumberUtil::PERSONAL_NUMBER: return "personal_number";
    case PhoneNumberUtil::PAGER: return "pager";
    case PhoneNumberUtil::UAN: return "uan";
    case PhoneNumberUtil::VOICEMAIL: return "voicemail";
    case PhoneNumberUtil::UNKNOWN: break;
  }
  return "unknown";
}

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n\xC2\xA0");
  if (begin == std::string::npos) {
    return {};
  }
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

bool fail(PhoneProblem* problem, const std::string& reason) {
  if (problem != nullptr) {
    problem->reason = reason;
  }
  return false;
}

/// Excel shows long numbers as 1.5551234567E+10. Expand it when every digit
/// survived; otherwise the number is lost and we say so.
std::optional<std::string> expandScientific(const std::string& text, bool& lossy) {
  lossy = false;
  const auto e = text.find_first_of("eE");
  if (e == std::string::npos || e == 0) {
    return std::nullopt;
  }
  const std::string mantissa = text.substr(0, e);
  std::string exponentText = text.substr(e + 1);
  if (!exponentText.empty() && exponentText[0] == '+') {
    exponentText.erase(0, 1);
  }
  if (exponentText.empty() || exponentText.size() > 2) {
    return std::nullopt;
  }
  for (char c : exponentText) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  std::string digits;
  size_t decimals = 0;
  bool seenPoint = false;
  for (char c : mantissa) {
    if (c == '.' || c == ',') {
      if (seenPoint) return std::nullopt;
      seenPoint = true;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
      decimals += seenPoint ? 1 : 0;
    } else {
      return std::nullopt;
    }
  }
  const size_t exponent = static_cast<size_t>(std::stoi(exponentText));
  if (digits.empty() || decimals > exponent) {
    return std::nullopt;
  }
  // Fewer significant digits than a phone number has: Excel dropped some.
  lossy = digits.size() < 8;
  digits.append(exponent - decimals, '0');
  return digits;
}

}  // namespace

PhoneNormalizer::PhoneNormalizer(std::string defaultRegion) : region_(std::move(defaultRegion)) {
  std::set<std::string> regions;
  PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
  if (regions.count(region_) == 0) {
    throw std::invalid_argument("unknown phone region '" + region_ + "'; use an ISO 3166 code such as US or GB");
  }
}

std::optional<NormalizedPhone> PhoneNormalizer::normalize(const std::string& raw, PhoneProblem* problem) const {
  std::string text = trim(raw);
  if (text.empty()) {
    fail(problem, "phone is empty");
    return std::nullopt;
  }
  if (text.front() == '\'') {
    text.erase(0, 1);  // Excel's "store as text" marker
  }
  if (text.front() == '=' || text.front() == '@') {
    fail(problem, "phone is a spreadsheet formula, not a number");
    return std::nullopt;
  }
  bool lossy = false;
  if (auto expanded = expandScientific(text, lossy)) {
    if (lossy) {
      fail(problem, "phone was mangled by Excel's scientific notation (digits lost); format the column as Text");
      return std::nullopt;
    }
    text = *expanded;
  }
  if (text.size() > 64) {
    fail(problem, "phone is longer than 64 characters");
    return std::nullopt;
  }

  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  const auto error = util.Parse(text, region_, &number);
  if (error != PhoneNumberUtil::NO_PARSING_ERROR) {
    switch (error) {
      case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
        fail(problem, "phone has no valid country code (add + and the country code, e.g. +44...)");
        break;
      case PhoneNumberUtil::TOO_SHORT_NSN:
      case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: fail(problem, "phone is too short"); break;
      case PhoneNumberUtil::TOO_LONG_NSN: fail(problem, "phone is too long"); break;
      default: fail(problem, "phone is not a phone number");
    }
    return std::nullopt;
  }
  if (!util.IsPossibleNumber(number)) {
    fail(problem, "phone has the wrong number of digits for its country");
    return std::nullopt;
  }
  NormalizedPhone out;
  util.Format(number, PhoneNumberUtil::E164, &out.e164);
  out.extension = number.extension();
  out.verified = util.IsValidNumber(number);
  out.lineType = out.verified ? lineTypeName(util.GetNumberType(number)) : "unknown";
  return out;
}

}  // namespace sb::core

#include <switchboard/core/contacts/PhoneNormalizer.h>
#include <switchboard/core/text/Trim.h>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cctype>
#include <set>
#include <stdexcept>

namespace sb::core {
namespace {

constexpr size_t kNanpBlocks = 10000000;  // 10^7 NPA-NXX-X blocks
constexpr uint8_t kComputed = 0x80;
constexpr uint8_t kValid = 0x40;
constexpr uint8_t kTypeMask = 0x3F;

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

/// Trims spaces and the non-breaking spaces spreadsheets paste in.
std::string trimPhone(const std::string& text) {
  std::string_view view = trimView(text);
  while (view.size() >= 2 && view.substr(0, 2) == "\xC2\xA0") view = trimView(view.substr(2));
  while (view.size() >= 2 && view.substr(view.size() - 2) == "\xC2\xA0")
    view = trimView(view.substr(0, view.size() - 2));
  return std::string(view);
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

PhoneNormalizer::PhoneNormalizer(std::string defaultRegion)
    : region_(std::move(defaultRegion)), nanpBlocks_(new std::atomic<uint8_t>[kNanpBlocks]()) {
  std::set<std::string> regions;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  util.GetSupportedRegions(&regions);
  if (regions.count(region_) == 0) {
    throw std::invalid_argument("unknown phone region '" + region_ + "'; use an ISO 3166 code such as US or GB");
  }
  regionIsNanp_ = util.GetCountryCodeForRegion(region_) == 1;
}

uint8_t PhoneNormalizer::nanpBlockInfo(uint64_t nationalNumber) const {
  const uint64_t block = nationalNumber / 1000;  // NPA-NXX-X
  std::atomic<uint8_t>& slot = nanpBlocks_[block];
  uint8_t info = slot.load(std::memory_order_relaxed);
  if (info == 0) {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    number.set_country_code(1);
    number.set_national_number(nationalNumber);
    // GetNumberType is UNKNOWN exactly when IsValidNumber is false (both
    // find the region, then match the type patterns): one call, not two.
    const auto type = util.GetNumberType(number);
    const bool valid = type != PhoneNumberUtil::UNKNOWN;
    info = static_cast<uint8_t>(kComputed | (valid ? kValid : 0) | static_cast<uint8_t>(type));
    slot.store(info, std::memory_order_relaxed);
  }
  return info;
}

std::optional<NormalizedPhone> PhoneNormalizer::normalizeNanp(const std::string& text) const {
  // Shapes: [+1|1|+1 ][(]NPA[)] NXX[-. ]XXXX [x|ext|ext.|#]digits, separators
  // space ( ) - . only. Anything else goes to libphonenumber; the fuzzer
  // (tests/fuzz) checks both give the same answer.
  std::string digits;
  std::string extension;
  bool plus = false;
  size_t i = 0;
  if (!text.empty() && text[0] == '+') {
    plus = true;
    i = 1;
  } else if (!regionIsNanp_) {
    return std::nullopt;
  }
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == ' ' || c == '(' || c == ')' || c == '-' || c == '.') {
      // '/' is left to libphonenumber: "/x" starts a second number there.
      continue;
    } else {
      break;
    }
  }
  if (i < text.size()) {
    // Only an extension may follow: "x123", "ext 123", "ext. 123", "#123".
    std::string rest = text.substr(i);
    std::string lowered;
    for (char c : rest) lowered.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    size_t start = 0;
    for (const char* marker : {"ext.", "ext", "x", "#"}) {
      const std::string m = marker;
      if (lowered.compare(0, m.size(), m) == 0) {
        start = m.size();
        break;
      }
    }
    if (start == 0) return std::nullopt;
    while (start < rest.size() && rest[start] == ' ') ++start;
    extension = rest.substr(start);
    if (extension.empty() || extension.size() > 7 || extension.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
  }
  if (digits.size() == 11 && digits[0] == '1') {
    digits.erase(0, 1);
  } else if (plus) {
    return std::nullopt;  // "+" must be followed by country code 1
  }
  if (digits.size() != 10 || digits[0] < '2' || digits[3] < '2') {
    return std::nullopt;
  }
  const uint64_t nationalNumber = std::stoull(digits);
  const uint8_t info = nanpBlockInfo(nationalNumber);
  NormalizedPhone out;
  out.e164 = "+1" + digits;
  out.extension = extension;
  out.verified = (info & kValid) != 0;
  out.lineType =
      out.verified ? lineTypeName(static_cast<PhoneNumberUtil::PhoneNumberType>(info & kTypeMask)) : "unknown";
  return out;
}

std::optional<NormalizedPhone> PhoneNormalizer::normalize(const std::string& raw, PhoneProblem* problem) const {
  std::string text = trimPhone(raw);
  if (text.empty()) {
    fail(problem, "phone is empty");
    return std::nullopt;
  }
  if (text.front() == '\'') {
    text.erase(0, 1);  // Excel's "store as text" marker
  }
  // Excel's text wrapper ="201-555-0213" keeps a number's dashes and
  // leading zeros; it is unwrapped for the fast path. Any other cell that
  // starts like a formula goes to libphonenumber as written (product.md
  // 3b), which reads the number inside or says why there is none.
  if (text.size() > 3 && text.compare(0, 2, "=\"") == 0 && text.back() == '"') {
    text = text.substr(2, text.size() - 3);
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
  if (auto fast = normalizeNanp(text)) {
    return fast;
  }
  return normalizeSlow(text, problem);
}

std::optional<NormalizedPhone> PhoneNormalizer::normalizeSlow(const std::string& text, PhoneProblem* problem) const {
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
  switch (util.IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::IS_POSSIBLE: break;
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
      fail(problem, "phone is incomplete: too few digits to dial (a local number without its area code?)");
      return std::nullopt;
    case PhoneNumberUtil::TOO_SHORT: fail(problem, "phone is too short for its country"); return std::nullopt;
    case PhoneNumberUtil::TOO_LONG: fail(problem, "phone is too long for its country"); return std::nullopt;
    default: fail(problem, "phone has the wrong number of digits for its country"); return std::nullopt;
  }
  NormalizedPhone out;
  util.Format(number, PhoneNumberUtil::E164, &out.e164);
  // libphonenumber parses national numbers of up to 17 digits; E.164 (and
  // every carrier) stops at 15.
  if (out.e164.size() > 16) {
    fail(problem, "phone is too long (an international number has at most 15 digits)");
    return std::nullopt;
  }
  out.extension = number.extension();
  const auto type = util.GetNumberType(number);  // UNKNOWN exactly when not valid
  out.verified = type != PhoneNumberUtil::UNKNOWN;
  out.lineType = lineTypeName(type);
  return out;
}

}  // namespace sb::core

#pragma once

#include <optional>
#include <string>

namespace sb::core {

/// A phone number as we store and dial it.
struct NormalizedPhone {
  std::string e164;       ///< "+15551234567"
  std::string extension;  ///< kept apart from the E.164 ("123" for "x123")
  std::string lineType;   ///< mobile, fixed_line, fixed_line_or_mobile, toll_free, voip, ..., unknown
  bool verified = false;  ///< libphonenumber confirms it valid (not only possible)
};

/// Why a value is not a dialable phone number, for the row report.
struct PhoneProblem {
  std::string reason;
};

/// Normalizes what people type into spreadsheets to E.164 with
/// libphonenumber: national formats in the default region, international
/// with + or 00, extensions, Excel's leading apostrophe and its scientific
/// notation when no digit was lost. A number libphonenumber finds possible
/// but not valid (an unassigned area code such as 555) is accepted
/// unverified; the provider has the last word at dial time.
/// THREADING: thread-safe (libphonenumber's util is a thread-safe singleton).
class PhoneNormalizer {
 public:
  /// `defaultRegion` is an ISO 3166 code ("US"); throws
  /// std::invalid_argument for a region libphonenumber does not know.
  explicit PhoneNormalizer(std::string defaultRegion = "US");

  /// The normalized number, or the problem.
  std::optional<NormalizedPhone> normalize(const std::string& raw, PhoneProblem* problem = nullptr) const;

  const std::string& defaultRegion() const noexcept { return region_; }

 private:
  std::string region_;
};

}  // namespace sb::core

#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
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
///
/// libphonenumber costs ~20 us a number (ICU regexes), which would dominate
/// a million-row import. NANP numbers in the common written shapes take a
/// fast path that gives the same answer (asserted against libphonenumber in
/// the tests); everything else goes to libphonenumber.
/// THREADING: thread-safe (libphonenumber's util is a thread-safe singleton).
class PhoneNormalizer {
 public:
  /// `defaultRegion` is an ISO 3166 code ("US"); throws
  /// std::invalid_argument for a region libphonenumber does not know.
  explicit PhoneNormalizer(std::string defaultRegion = "US");

  /// The normalized number, or the problem.
  std::optional<NormalizedPhone> normalize(const std::string& raw, PhoneProblem* problem = nullptr) const;

  const std::string& defaultRegion() const noexcept { return region_; }

  /// Normalizes with libphonenumber alone, never the fast path (tests
  /// compare the two).
  std::optional<NormalizedPhone> normalizeSlow(const std::string& text, PhoneProblem* problem) const;

 private:
  std::optional<NormalizedPhone> normalizeNanp(const std::string& text) const;
  uint8_t nanpBlockInfo(uint64_t nationalNumber) const;

  std::string region_;
  bool regionIsNanp_ = false;
  /// Type and validity of each NANP thousands-block (the first 7 of the 10
  /// digits), computed once with libphonenumber: within a block they never
  /// differ (checked by PhoneNormalizerTest against libphonenumber itself).
  std::unique_ptr<std::atomic<uint8_t>[]> nanpBlocks_;
};

}  // namespace sb::core

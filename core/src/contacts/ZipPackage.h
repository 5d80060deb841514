#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

namespace Poco::Zip {
class ZipArchive;
}

namespace sb::core {

/// Limits that keep a hostile zip (a "zip bomb", millions of entries) from
/// costing more than a bounded amount of time, memory and disk.
struct ZipLimits {
  size_t maxEntries = 10000;
  uint64_t maxEntryBytes = uint64_t{1} << 30;  ///< uncompressed, per entry
  /// Uncompressed : compressed, checked once an entry has given more than
  /// `ratioFloorBytes` (small entries compress well and are harmless).
  uint64_t maxRatio = 200;
  uint64_t ratioFloorBytes = uint64_t{16} << 20;
};

/// A zip file (an .xlsx is one) read from a seekable stream through
/// Poco::Zip: its directory is checked against the limits before any entry
/// is inflated, and every entry read is bounded again while it streams (a
/// directory can lie about sizes). Every failure is a CsvError whose
/// message says what is wrong with the file.
/// THREADING: one thread at a time (entries share the underlying stream).
class ZipPackage {
 public:
  ZipPackage(std::istream& in, ZipLimits limits);
  ~ZipPackage();
  ZipPackage(const ZipPackage&) = delete;
  ZipPackage& operator=(const ZipPackage&) = delete;

  bool has(const std::string& name) const;
  std::vector<std::string> names() const;
  /// The entry's uncompressed bytes, bounded by the limits. The stream
  /// reads from the package's input: read one entry at a time.
  std::unique_ptr<std::istream> open(const std::string& name) const;

 private:
  std::istream& in_;
  ZipLimits limits_;
  std::unique_ptr<Poco::Zip::ZipArchive> archive_;
};

}  // namespace sb::core

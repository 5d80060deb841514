#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::core {

/// One row of a contact file and where it came from.
struct CsvRecord {
  std::vector<std::string> fields;
  int64_t record = 0;  ///< 1-based row number; the header is row 1 (a spreadsheet's row number)
  int64_t line = 0;    ///< 1-based physical line (a CSV) or sheet row (a workbook) where the row starts
  /// The first field (0-based) that was over the size limit, cut at it; -1
  /// when none. Such a row is refused on its own (product.md 3b).
  int tooLongField = -1;
};

/// The rows of an uploaded contact file, whatever its format (CSV, .xlsx),
/// read one at a time with bounded memory. A file that cannot be read at
/// all throws CsvError naming what to do.
class RowReader {
 public:
  virtual ~RowReader() = default;
  /// Reads the next row; false at the end.
  virtual bool next(CsvRecord& record) = 0;
  /// Bytes read so far, for progress.
  virtual uint64_t bytesRead() const = 0;
  /// What the import report says about the file: its format and how it
  /// was read ({"format": "csv", "delimiter": "comma"}, {"format": "xlsx",
  /// "sheet": "Leads"}).
  virtual nlohmann::json describe() const = 0;
};

}  // namespace sb::core

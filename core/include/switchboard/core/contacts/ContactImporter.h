#pragma once

#include <switchboard/core/contacts/ColumnMapping.h>
#include <switchboard/core/contacts/ContactRepository.h>
#include <switchboard/core/contacts/PhoneNormalizer.h>
#include <switchboard/core/contacts/RowReader.h>

#include <cstdint>
#include <functional>
#include <string>

namespace sb::core {

struct ImportLimits {
  uint64_t maxBytes = uint64_t{200} * 1024 * 1024;
  int64_t maxRows = 1000000;
  size_t maxIssues = 1000;                   ///< issues kept in the report; the counts stay exact
  size_t maxFieldBytes = size_t{64} * 1024;  ///< a longer field skips its row (field_too_long)
};

/// Called now and then with bytes and data rows read so far.
using ImportProgress = std::function<void(uint64_t bytes, int64_t rows)>;

/// What the caller chose about a file: which columns hold what, and which
/// sheet of a workbook.
struct ImportOptions {
  ColumnChoice columns;
  std::string sheet;  ///< a workbook's sheet by name; empty: the first visible one
};

/// Reads a contact file's rows (a CSV or a workbook's sheet, product.md
/// 2.1 and 3b) into a new list, in one
/// transaction: the list lands whole or not at all. Rows that cannot be
/// imported are skipped and reported (row, line, column, reason, value);
/// numbers seen twice in the file are merged into the first and reported.
/// A file that cannot be a contact list at all (empty, not UTF-8, over a
/// limit, no valid row) throws DomainError (CsvInvalid or TooLarge), and
/// one whose columns cannot be matched throws MappingNeeded with a
/// proposal and a preview of the first rows; neither leaves anything behind.
class ContactImporter {
 public:
  ContactImporter(const PhoneNormalizer& phones, ImportLimits limits, ImportProgress progress = {});

  /// Imports into `list` (id, name, filename, created_by, created_at set by
  /// the caller); returns it with its counts and report.
  /// Columns are matched by the synonym table, or as `choice` says. With
  /// `appendTo`, the rows go into that existing list instead (NotFound when
  /// there is none): a number it already has is merged into its contact.
  ContactList run(RowReader& rows, ContactList list, ContactRepository& repository, const ColumnChoice& choice = {},
                  int64_t appendTo = 0) const;

 private:
  const PhoneNormalizer& phones_;
  ImportLimits limits_;
  ImportProgress progress_;
};

}  // namespace sb::core

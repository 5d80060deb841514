#pragma once

#include <switchboard/core/contacts/RowReader.h>

#include "contacts/XlsxParts.h"
#include "contacts/ZipPackage.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <istream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::core {

/// Reads the rows of one worksheet of an .xlsx workbook (the first visible
/// one, or the one named), streaming: the sheet is parsed by Poco's SAX
/// parser on a thread of its own, a few hundred rows ahead of the import,
/// so memory holds the shared strings and a few batches of rows, never the
/// sheet. Cells read the way they show (XlsxParts' formatNumber); a merged
/// cell's value counts for every cell it covers; a merged title above the
/// header is skipped. A file that is not a workbook this can read (.ods,
/// .xlsb, a damaged zip, a hostile one) throws CsvError saying what to do;
/// a sheet that does not exist throws DomainError(Validation) naming those
/// that do.
class XlsxReader final : public RowReader {
 public:
  struct Options {
    std::string sheet;  ///< empty: the first visible sheet
    size_t maxFieldBytes = size_t{64} * 1024;
    size_t maxRecordFields = 1000;
    /// A row's text in all: a shared text repeated across a row's cells
    /// costs a few bytes of XML each, so the row is bounded by its text,
    /// not by its XML. A longer row is refused on its own (field_too_long).
    size_t maxRowBytes = size_t{1} << 20;
    uint64_t maxTextBytes = uint64_t{256} << 20;  ///< the shared strings' text
    ZipLimits zip;
  };

  /// `in` must be seekable (an ImportSpool's stream is).
  XlsxReader(std::istream& in, Options options);
  ~XlsxReader() override;
  XlsxReader(const XlsxReader&) = delete;
  XlsxReader& operator=(const XlsxReader&) = delete;

  bool next(CsvRecord& record) override;
  uint64_t bytesRead() const override;
  nlohmann::json describe() const override;

  const std::string& sheetName() const noexcept { return sheet_.name; }

 private:
  class SheetHandler;
  struct Batch {
    std::vector<CsvRecord> rows;
  };

  void chooseSheet(const xlsx::WorkbookIndex& index);
  void parseSheet();
  /// The parser's side of the hand-off; false when the reader is gone.
  bool deliver(std::vector<CsvRecord>&& rows);

  Options options_;
  ZipPackage package_;
  xlsx::SheetEntry sheet_;
  bool date1904_ = false;
  xlsx::Styles styles_;
  xlsx::SharedStrings strings_;
  std::vector<xlsx::MergedRange> merges_;
  std::atomic<uint64_t> parsed_{0};  ///< sheet bytes parsed, for progress

  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable space_;
  std::deque<std::vector<CsvRecord>> batches_;
  bool finished_ = false;
  bool cancelled_ = false;
  std::exception_ptr failure_;
  std::vector<CsvRecord> current_;
  size_t position_ = 0;
  std::thread parser_;
};

}  // namespace sb::core

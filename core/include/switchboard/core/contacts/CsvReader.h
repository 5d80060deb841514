#pragma once

#include <switchboard/core/contacts/RowReader.h>
#include <switchboard/core/text/Utf8.h>

#include <cstdint>
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sb::core {

/// A file that cannot be read as CSV at all (not UTF-8, UTF-16, an
/// unterminated quote, a field beyond the size limit). The message names the
/// line and says what to do.
class CsvError : public std::runtime_error {
 public:
  CsvError(const std::string& message, int64_t line) : std::runtime_error(message), line_(line) {}
  int64_t line() const noexcept { return line_; }

 private:
  int64_t line_;
};

/// A streaming RFC 4180 reader: quoted fields with delimiters, quotes ("")
/// and newlines; CRLF, LF or CR line ends; a UTF-8 BOM is skipped. The
/// delimiter (',', ';' or tab) is detected from the first record unless
/// given. Lenient where spreadsheets are: a quote inside an unquoted field
/// is kept literally. Memory is bounded by the largest record, never the
/// file. Invalid UTF-8 is an error (CsvError) naming the line; a field over
/// the size limit only marks its record.
class CsvReader final : public RowReader {
 public:
  struct Options {
    char delimiter = '\0';                     ///< '\0' = detect
    size_t maxFieldBytes = size_t{64} * 1024;  ///< a longer field is cut and marked (tooLongField)
    size_t maxRecordFields = 1000;
  };

  explicit CsvReader(std::istream& in) : CsvReader(in, Options{}) {}
  CsvReader(std::istream& in, Options options);

  /// Reads the next record; false at end of input.
  bool next(CsvRecord& record) override;
  char delimiter() const noexcept { return delimiter_; }
  /// Bytes consumed so far (for progress).
  uint64_t bytesRead() const noexcept override { return consumed_; }
  nlohmann::json describe() const override;

 private:
  int peekByte();
  int getByte();
  void detectDelimiter();
  void refuseWorkbook();
  void keep(CsvRecord& record, std::string& field, char ch);
  void finishField(CsvRecord& record, std::string& field, int64_t line);

  std::istream& in_;
  Options options_;
  char delimiter_;
  std::vector<char> buffer_;
  size_t position_ = 0;
  size_t filled_ = 0;
  uint64_t consumed_ = 0;
  int64_t line_ = 1;
  int64_t records_ = 0;
  bool started_ = false;
  size_t fieldCount_ = 0;  ///< fields of the current record so far
  std::string scratch_;    ///< the field being read
  bool fieldCut_ = false;  ///< the field being read went over the limit
};

}  // namespace sb::core

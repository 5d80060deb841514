#include <switchboard/core/contacts/CsvReader.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace sb::core {
namespace {

constexpr size_t kBufferBytes = size_t{64} * 1024;
constexpr int kEof = -1;

std::string delimiterName(char delimiter) {
  switch (delimiter) {
    case ';': return "semicolon";
    case '\t': return "tab";
    default: return "comma";
  }
}

}  // namespace

CsvReader::CsvReader(std::istream& in, Options options)
    : in_(in), options_(options), delimiter_(options.delimiter), buffer_(kBufferBytes) {}

nlohmann::json CsvReader::describe() const {
  return {{"format", "csv"}, {"delimiter", delimiterName(delimiter_)}};
}

int CsvReader::peekByte() {
  if (position_ == filled_) {
    in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    filled_ = static_cast<size_t>(in_.gcount());
    position_ = 0;
    if (filled_ == 0) {
      return kEof;
    }
  }
  return static_cast<unsigned char>(buffer_[position_]);
}

int CsvReader::getByte() {
  const int c = peekByte();
  if (c != kEof) {
    ++position_;
    ++consumed_;
  }
  return c;
}

void CsvReader::detectDelimiter() {
  // Look at the first line in the buffer (outside quotes) and pick the most
  // frequent of the three delimiters; ',' wins ties and empty headers.
  peekByte();
  size_t commas = 0;
  size_t semicolons = 0;
  size_t tabs = 0;
  bool quoted = false;
  for (size_t i = position_; i < filled_; ++i) {
    const char c = buffer_[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == '\n' || c == '\r')) {
      break;
    } else if (!quoted) {
      commas += c == ',';
      semicolons += c == ';';
      tabs += c == '\t';
    }
  }
  delimiter_ = ',';
  if (semicolons > commas && semicolons >= tabs) {
    delimiter_ = ';';
  } else if (tabs > commas && tabs > semicolons) {
    delimiter_ = '\t';
  }
}

void CsvReader::keep(CsvRecord& record, std::string& field, char ch) {
  if (field.size() < options_.maxFieldBytes) {
    field.push_back(ch);
    return;
  }
  // The rest of an over-long field is read (its quotes still count) but not
  // kept: memory stays bounded and the row is refused on its own.
  if (!fieldCut_) {
    fieldCut_ = true;
    if (record.tooLongField < 0) record.tooLongField = static_cast<int>(fieldCount_);
  }
}

void CsvReader::finishField(CsvRecord& record, std::string& field, int64_t line) {
  if (fieldCut_) {
    // The cut may have split a character: drop its first bytes so that only
    // a byte the file really has wrong can fail the check below.
    size_t keepBytes = field.size();
    for (size_t back = 0; back < 4 && back < field.size(); ++back) {
      if (isValidUtf8(std::string_view(field).substr(0, field.size() - back))) {
        keepBytes = field.size() - back;
        break;
      }
    }
    field.resize(keepBytes);
    fieldCut_ = false;
  }
  if (!isValidUtf8(field)) {
    throw CsvError("line " + std::to_string(line) +
                       ": text is not valid UTF-8 (the file looks like Windows-1252 or Latin-1); save it as "
                       "\"CSV UTF-8\" and upload again",
                   line);
  }
  if (fieldCount_ >= options_.maxRecordFields) {
    throw CsvError(
        "line " + std::to_string(line) + ": more than " + std::to_string(options_.maxRecordFields) + " columns", line);
  }
  // Reuse the record's strings across records: no allocation per field
  // once the first records have sized them.
  if (fieldCount_ < record.fields.size()) {
    record.fields[fieldCount_].swap(field);
  } else {
    record.fields.push_back(std::move(field));
  }
  ++fieldCount_;
  field.clear();
}

void CsvReader::refuseWorkbook() {
  // A spreadsheet uploaded as a list: say what it is and what to do, rather
  // than report its binary bytes as a header with missing columns.
  const std::string_view head(buffer_.data() + position_, std::min<size_t>(filled_ - position_, 8));
  if (head.starts_with(std::string_view("PK\x03\x04", 4))) {
    throw CsvError(
        "this is an Excel workbook (.xlsx) or another zipped spreadsheet, not a CSV file: open it in Excel and save "
        "it as \"CSV UTF-8\" (File > Save As), then upload that file",
        1);
  }
  if (head.starts_with(std::string_view("\xD0\xCF\x11\xE0", 4))) {
    throw CsvError(
        "this is an old Excel workbook (.xls), which cannot be read: open it in Excel and save it as an Excel "
        "workbook (.xlsx) or as \"CSV UTF-8\" (File > Save As), then upload that file",
        1);
  }
}

bool CsvReader::next(CsvRecord& record) {
  if (!started_) {
    started_ = true;
    // UTF-16 files start with FF FE or FE FF: say so instead of failing later.
    const int first = peekByte();
    if (first == 0xFF || first == 0xFE) {
      throw CsvError("line 1: the file is UTF-16; save it as \"CSV UTF-8\" and upload again", 1);
    }
    refuseWorkbook();
    if (first == 0xEF && filled_ - position_ >= 3 && static_cast<unsigned char>(buffer_[position_ + 1]) == 0xBB &&
        static_cast<unsigned char>(buffer_[position_ + 2]) == 0xBF) {
      position_ += 3;
      consumed_ += 3;
    }
    if (delimiter_ == '\0') {
      detectDelimiter();
    }
  }
  fieldCount_ = 0;
  if (peekByte() == kEof) {
    record.fields.clear();
    return false;
  }
  record.line = line_;
  record.record = ++records_;
  record.tooLongField = -1;
  std::string& field = scratch_;
  field.clear();
  bool quoted = false;     // inside a quoted section
  bool wasQuoted = false;  // the field started with a quote
  while (true) {
    const int c = getByte();
    if (c == kEof) {
      if (quoted) {
        throw CsvError("line " + std::to_string(record.line) +
                           ": a quoted field is never closed (a \" is missing before the end of the file)",
                       record.line);
      }
      finishField(record, field, line_);
      record.fields.resize(fieldCount_);
      return true;
    }
    const char ch = static_cast<char>(c);
    if (quoted) {
      if (ch == '"') {
        if (peekByte() == '"') {
          getByte();
          keep(record, field, '"');
        } else {
          quoted = false;
        }
      } else {
        if (ch == '\n' || (ch == '\r' && peekByte() != '\n')) {
          ++line_;
        }
        keep(record, field, ch);
      }
      continue;
    }
    if (ch == delimiter_) {
      finishField(record, field, line_);
      wasQuoted = false;
      continue;
    }
    if (ch == '\r' || ch == '\n') {
      if (ch == '\r' && peekByte() == '\n') {
        getByte();
      }
      ++line_;
      finishField(record, field, line_ - 1);
      record.fields.resize(fieldCount_);
      return true;
    }
    if (ch == '"' && field.empty() && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      continue;
    }
    keep(record, field, ch);
  }
}

}  // namespace sb::core

#include "contacts/XlsxReader.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/CsvReader.h>
#include <switchboard/core/text/Trim.h>

#include <Poco/SAX/Attributes.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <sstream>
#include <streambuf>

namespace sb::core {
namespace {

using Poco::XML::Attributes;
using Poco::XML::XMLChar;
using Poco::XML::XMLString;

constexpr size_t kSheetBatchRows = 512;
constexpr size_t kSheetBatchBytes = size_t{8} << 20;  ///< a batch is handed over at this much text too
constexpr size_t kMaxBatches = 4;
constexpr size_t kMaxMerges = 10000;
/// The cells merged ranges may cover in all: filling them is the merges'
/// whole cost.
constexpr uint64_t kMaxMergedCells = 20'000'000;

/// Said when the reader is destroyed before the sheet's end (an error in the
/// import, or a preview that needed only a few rows): the parser stops.
struct Cancelled {};

std::string lowerTrimmed(std::string_view text) {
  std::string out = trim(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool blank(const CsvRecord& row) {
  return std::all_of(row.fields.begin(), row.fields.end(), [](const std::string& f) { return trimView(f).empty(); });
}

/// Counts what the parser has read of the sheet, for progress.
class CountingBuffer final : public std::streambuf {
 public:
  CountingBuffer(std::istream& in, std::atomic<uint64_t>& count) : in_(in), count_(count) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    const auto got = in_.gcount();
    if (got <= 0) return traits_type::eof();
    count_ += static_cast<uint64_t>(got);
    setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::istream& in_;
  std::atomic<uint64_t>& count_;
  std::array<char, size_t{64} * 1024> buffer_{};
};

}  // namespace

/// Turns the sheet's <row>/<c> elements into rows of text.
class XlsxReader::SheetHandler final : public xlsx::SafeHandler {
 public:
  explicit SheetHandler(XlsxReader& reader) : reader_(reader) {}

  void start(std::string_view name, const Attributes& attributes) override {
    if (name == "c") {
      startCell(attributes);
    } else if (name == "v") {
      inValue_ = inCell_;
    } else if (name == "t") {
      inValue_ = inCell_ && inlineText_ && phonetic_ == 0;
    } else if (name == "is") {
      inlineText_ = inCell_;
    } else if (name == "rPh") {
      ++phonetic_;
    } else if (name == "row") {
      startRow(attributes);
    }
  }

  void end(std::string_view name) override {
    if (name == "c") {
      endCell();
    } else if (name == "v" || name == "t") {
      inValue_ = false;
    } else if (name == "is") {
      inlineText_ = false;
    } else if (name == "rPh") {
      --phonetic_;
    } else if (name == "row") {
      endRow();
    } else if (name == "sheetData") {
      flush();
    }
  }

  void characters(const XMLChar ch[], int start, int length) override {
    if (!inValue_) return;
    const size_t room =
        reader_.options_.maxFieldBytes + 1 - std::min(value_.size(), reader_.options_.maxFieldBytes + 1);
    value_.append(ch + start, std::min(static_cast<size_t>(length), room));
  }

  void flush() {
    if (rows_.empty()) return;
    if (!reader_.deliver(std::move(rows_))) throw Cancelled{};
    rows_.clear();
    batchBytes_ = 0;
  }

 private:
  void startRow(const Attributes& attributes) {
    int64_t number = 0;
    const std::string_view r = xlsx::attribute(attributes, "r");
    if (r.empty() || std::from_chars(r.data(), r.data() + r.size(), number).ec != std::errc() || number <= rowNumber_) {
      number = rowNumber_ + 1;
    }
    rowNumber_ = number;
    row_.fields.clear();
    row_.tooLongField = -1;
    nextColumn_ = 0;
    rowBytes_ = 0;
  }

  /// Counts `bytes` more text into the row; false (and the row marked too
  /// long at `column`) when that would pass the row's bound.
  bool fits(size_t bytes, size_t column) {
    if (rowBytes_ + bytes <= reader_.options_.maxRowBytes) {
      rowBytes_ += bytes;
      return true;
    }
    if (row_.tooLongField < 0 || static_cast<size_t>(row_.tooLongField) > column) {
      row_.tooLongField = static_cast<int>(column);
    }
    return false;
  }

  void startCell(const Attributes& attributes) {
    inCell_ = true;
    value_.clear();
    type_.clear();
    style_ = 0;
    column_ = nextColumn_;
    for (int i = 0; i < attributes.getLength(); ++i) {
      const std::string_view attribute = attributes.getQName(i);
      const std::string& value = attributes.getValue(i);
      if (attribute == "r") {
        size_t column = 0;
        int64_t row = 0;
        if (xlsx::parseCellRef(value, column, row)) column_ = column;
      } else if (attribute == "t") {
        type_ = value;
      } else if (attribute == "s") {
        std::from_chars(value.data(), value.data() + value.size(), style_);
      }
    }
    if (column_ >= reader_.options_.maxRecordFields) {
      throw CsvError("row " + std::to_string(rowNumber_) + ": a cell beyond column " +
                         std::to_string(reader_.options_.maxRecordFields) +
                         " (delete the empty columns on the right, or copy the contacts into a new sheet)",
                     rowNumber_);
    }
  }

  void endCell() {
    inCell_ = false;
    nextColumn_ = column_ + 1;
    std::string text;
    if (type_ == "s") {
      size_t index = 0;
      const auto parsed = std::from_chars(value_.data(), value_.data() + value_.size(), index);
      if (parsed.ec != std::errc() || !reader_.strings_.has(index)) {
        throw CsvError("row " + std::to_string(rowNumber_) +
                           ": a cell refers to a shared text the workbook does not have (a damaged file); open it in "
                           "Excel, save it again, and upload that",
                       rowNumber_);
      }
      text.assign(reader_.strings_.at(index));
    } else if (type_ == "b") {
      text = value_ == "1" ? "TRUE" : "FALSE";
    } else if (type_.empty() || type_ == "n") {
      text =
          value_.empty() ? std::string() : xlsx::formatNumber(value_, reader_.styles_.style(style_), reader_.date1904_);
    } else {
      text = value_;  // inlineStr, str (a formula's text), e (#N/A), d (ISO date)
    }
    if (text.empty()) return;
    if (text.size() > reader_.options_.maxFieldBytes) {
      text.resize(reader_.options_.maxFieldBytes);
      if (row_.tooLongField < 0 || static_cast<size_t>(row_.tooLongField) > column_) {
        row_.tooLongField = static_cast<int>(column_);
      }
    }
    if (!fits(text.size(), column_)) return;  // the row is refused; its text is not kept
    if (row_.fields.size() <= column_) row_.fields.resize(column_ + 1);
    row_.fields[column_] = std::move(text);
  }

  void endRow() {
    row_.record = rowNumber_;
    row_.line = rowNumber_;
    applyMerges();
    if (!headerSeen_ && !blank(row_)) {
      if (isTitle()) {
        row_.fields.clear();
      } else {
        headerSeen_ = true;
      }
    }
    batchBytes_ += rowBytes_;
    rows_.push_back(std::move(row_));
    row_ = CsvRecord();
    if (rows_.size() >= kSheetBatchRows || batchBytes_ >= kSheetBatchBytes) flush();
  }

  /// A merged range's value (its top-left cell's) fills the cells it covers.
  /// Rows come in increasing order and the ranges sorted by their first
  /// row: only the ranges over this row are looked at, so the work is the
  /// merged cells' count (bounded when the sheet is opened), not ranges x rows.
  void applyMerges() {
    const auto& merges = reader_.merges_;
    while (nextMerge_ < merges.size() && merges[nextMerge_].firstRow <= rowNumber_) {
      if (merges[nextMerge_].lastRow >= rowNumber_) active_.push_back({nextMerge_, {}});
      ++nextMerge_;
    }
    for (size_t k = 0; k < active_.size();) {
      const auto& range = merges[active_[k].range];
      if (range.lastRow < rowNumber_) {
        active_[k] = std::move(active_.back());
        active_.pop_back();
        continue;
      }
      std::string& carried = active_[k].value;
      if (rowNumber_ == range.firstRow && range.firstColumn < row_.fields.size()) {
        carried = row_.fields[range.firstColumn];
      }
      ++k;
      if (carried.empty()) continue;
      const size_t last = std::min(range.lastColumn, reader_.options_.maxRecordFields - 1);
      if (row_.fields.size() <= last) row_.fields.resize(last + 1);
      for (size_t column = range.firstColumn; column <= last; ++column) {
        if (!row_.fields[column].empty()) continue;
        if (!fits(carried.size(), column)) break;
        row_.fields[column] = carried;
      }
    }
  }

  /// A title over the header ("Leads - March", merged across the table):
  /// one text, spread by a merge over several columns.
  bool isTitle() const {
    std::string first;
    size_t filled = 0;
    for (const auto& field : row_.fields) {
      if (trimView(field).empty()) continue;
      if (filled++ == 0) first = field;
      if (field != first) return false;
    }
    if (filled < 2) return false;
    return std::any_of(reader_.merges_.begin(), reader_.merges_.end(), [&](const xlsx::MergedRange& range) {
      return range.firstRow <= rowNumber_ && range.lastRow >= rowNumber_ && range.lastColumn > range.firstColumn &&
             range.lastColumn + 1 - range.firstColumn >= filled;
    });
  }

  XlsxReader& reader_;
  CsvRecord row_;
  std::vector<CsvRecord> rows_;
  struct ActiveMerge {
    size_t range;
    std::string value;  ///< its top-left cell's text
  };
  std::vector<ActiveMerge> active_;
  size_t nextMerge_ = 0;
  size_t rowBytes_ = 0;    ///< the row's text so far
  size_t batchBytes_ = 0;  ///< the text of the rows not yet handed over
  std::string value_;
  std::string type_;
  size_t style_ = 0;
  size_t column_ = 0;
  size_t nextColumn_ = 0;
  int64_t rowNumber_ = 0;
  int phonetic_ = 0;
  bool inCell_ = false;
  bool inValue_ = false;
  bool inlineText_ = false;
  bool headerSeen_ = false;
};

namespace {

/// A zip that is not an .xlsx: say what it is and what to do.
[[noreturn]] void refuseOtherPackage(const ZipPackage& package) {
  if (package.has("mimetype")) {
    auto mime = package.open("mimetype");
    std::string type(200, '\0');
    mime->read(type.data(), static_cast<std::streamsize>(type.size()));
    type.resize(static_cast<size_t>(mime->gcount()));
    if (type.find("opendocument.spreadsheet") != std::string::npos) {
      throw CsvError(
          "this is an OpenDocument spreadsheet (.ods): open it and save it as an Excel workbook (.xlsx) or as \"CSV "
          "UTF-8\", then upload that file",
          1);
    }
  }
  if (package.has("xl/workbook.bin")) {
    throw CsvError(
        "this is an Excel binary workbook (.xlsb): open it in Excel and save it as an Excel workbook (.xlsx) or as "
        "\"CSV UTF-8\", then upload that file",
        1);
  }
  throw CsvError(
      "this is a zip file but not an Excel workbook: upload the contacts as an Excel workbook (.xlsx) or a \"CSV "
      "UTF-8\" file",
      1);
}

}  // namespace

XlsxReader::XlsxReader(std::istream& in, Options options) : options_(std::move(options)), package_(in, options_.zip) {
  if (!package_.has("xl/workbook.xml") || !package_.has("xl/_rels/workbook.xml.rels")) {
    refuseOtherPackage(package_);
  }
  xlsx::WorkbookIndex index;
  {
    auto workbook = package_.open("xl/workbook.xml");
    std::string text((std::istreambuf_iterator<char>(*workbook)), std::istreambuf_iterator<char>());
    std::istringstream workbookText(text);
    auto relationships = package_.open("xl/_rels/workbook.xml.rels");
    index = xlsx::WorkbookIndex::load(workbookText, *relationships);
  }
  chooseSheet(index);
  date1904_ = index.date1904;
  if (package_.has("xl/styles.xml")) styles_.load(*package_.open("xl/styles.xml"));
  if (package_.has("xl/sharedStrings.xml")) {
    strings_.load(*package_.open("xl/sharedStrings.xml"), options_.maxFieldBytes, options_.maxTextBytes);
  }
  if (!package_.has(sheet_.part)) {
    throw CsvError("the workbook cannot be read: its sheet '" + sheet_.name + "' (" + sheet_.part +
                       ") is missing; open it in Excel, save it again, and upload that",
                   1);
  }
  merges_ = xlsx::scanMerges(*package_.open(sheet_.part), kMaxMerges);
  std::sort(merges_.begin(), merges_.end(),
            [](const xlsx::MergedRange& a, const xlsx::MergedRange& b) { return a.firstRow < b.firstRow; });
  uint64_t covered = 0;
  for (const auto& range : merges_) {
    const size_t lastColumn = std::min(range.lastColumn, options_.maxRecordFields - 1);
    if (range.firstColumn > lastColumn) continue;
    covered += static_cast<uint64_t>(range.lastRow - range.firstRow + 1) * (lastColumn - range.firstColumn + 1);
  }
  if (covered > kMaxMergedCells) {
    throw CsvError("the sheet's merged cells cover more than " + std::to_string(kMaxMergedCells) +
                       " cells: select the sheet, unmerge its cells (Home > Merge & Center), and upload again",
                   1);
  }
  parser_ = std::thread([this] { parseSheet(); });
}

XlsxReader::~XlsxReader() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    space_.notify_all();
  }
  if (parser_.joinable()) parser_.join();
}

void XlsxReader::chooseSheet(const xlsx::WorkbookIndex& index) {
  if (index.sheets.empty()) {
    throw CsvError("the workbook has no worksheet (only charts?): put the contacts on a sheet and upload again", 1);
  }
  if (options_.sheet.empty()) {
    const auto visible = std::find_if(index.sheets.begin(), index.sheets.end(),
                                      [](const xlsx::SheetEntry& sheet) { return sheet.visible; });
    sheet_ = visible != index.sheets.end() ? *visible : index.sheets.front();
    return;
  }
  auto named = std::find_if(index.sheets.begin(), index.sheets.end(),
                            [&](const xlsx::SheetEntry& sheet) { return sheet.name == options_.sheet; });
  if (named == index.sheets.end()) {
    // Then as a person may type it: any case, spaces around.
    const std::string wanted = lowerTrimmed(options_.sheet);
    named = std::find_if(index.sheets.begin(), index.sheets.end(),
                         [&](const xlsx::SheetEntry& sheet) { return lowerTrimmed(sheet.name) == wanted; });
  }
  if (named == index.sheets.end()) {
    nlohmann::json names = nlohmann::json::array();
    std::string list;
    for (const auto& sheet : index.sheets) {
      names.push_back(sheet.name);
      list += (list.empty() ? "'" : ", '") + sheet.name + "'";
    }
    throw DomainError(DomainError::Kind::Validation,
                      "the workbook has no sheet named '" + options_.sheet + "'; its sheets are " + list,
                      {{"field", "sheet"}, {"sheets", names}});
  }
  sheet_ = *named;
}

void XlsxReader::parseSheet() {
  try {
    auto part = package_.open(sheet_.part);
    CountingBuffer counting(*part, parsed_);
    std::istream counted(&counting);
    SheetHandler handler(*this);
    xlsx::parseXml(counted, handler, sheet_.part);
    handler.flush();
    std::lock_guard lock(mutex_);
    finished_ = true;
    ready_.notify_all();
  } catch (const Cancelled&) {
    // The reader is gone; nobody waits.
  } catch (...) {
    std::lock_guard lock(mutex_);
    failure_ = std::current_exception();
    finished_ = true;
    ready_.notify_all();
  }
}

bool XlsxReader::deliver(std::vector<CsvRecord>&& rows) {
  std::unique_lock lock(mutex_);
  space_.wait(lock, [&] { return batches_.size() < kMaxBatches || cancelled_; });
  if (cancelled_) return false;
  batches_.push_back(std::move(rows));
  ready_.notify_one();
  return true;
}

bool XlsxReader::next(CsvRecord& record) {
  while (position_ == current_.size()) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !batches_.empty() || finished_; });
    if (batches_.empty()) {
      if (failure_) std::rethrow_exception(failure_);
      return false;
    }
    current_ = std::move(batches_.front());
    batches_.pop_front();
    position_ = 0;
    space_.notify_one();
  }
  CsvRecord& row = current_[position_++];
  record.fields.swap(row.fields);
  record.record = row.record;
  record.line = row.line;
  record.tooLongField = row.tooLongField;
  return true;
}

uint64_t XlsxReader::bytesRead() const {
  return parsed_.load();
}

nlohmann::json XlsxReader::describe() const {
  return {{"format", "xlsx"}, {"sheet", sheet_.name}};
}

}  // namespace sb::core

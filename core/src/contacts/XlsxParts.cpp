#include "contacts/XlsxParts.h"

#include <switchboard/core/contacts/CsvReader.h>

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/SAXParser.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sb::core::xlsx {
namespace {

using Poco::XML::Attributes;
using Poco::XML::XMLChar;
using Poco::XML::XMLString;

constexpr size_t kBlockBytes = size_t{8} << 20;
bool isTrue(std::string_view value) {
  return value == "1" || value == "true";
}

/// Built-in number formats that show dates or times (ECMA-376 18.8.30,
/// and the East Asian ones Excel maps to dates).
bool builtInDate(int id) {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

/// A custom format code's kind: date letters or an exponent outside quoted
/// text, bracketed colours/conditions and escaped characters.
NumberStyle customStyle(std::string_view code) {
  bool date = false;
  bool scientific = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      const auto close = code.find('"', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '[') {
      const auto close = code.find(']', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;  // the next character is literal (or padding)
    } else if (c == ';') {
      break;  // the first section (positive numbers) decides
    } else {
      const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == 'y' || lower == 'm' || lower == 'd' || lower == 'h' || lower == 's') date = true;
      if (lower == 'e' && i + 1 < code.size() && (code[i + 1] == '+' || code[i + 1] == '-')) scientific = true;
    }
  }
  if (scientific) return NumberStyle::Scientific;
  return date ? NumberStyle::Date : NumberStyle::General;
}

class StylesHandler final : public SafeHandler {
 public:
  std::map<int, NumberStyle> custom;
  std::vector<NumberStyle> cellStyles;

  void start(std::string_view localName, const Attributes& attributes) override {
    if (localName == "numFmt") {
      int id = 0;
      const auto text = attribute(attributes, "numFmtId");
      std::from_chars(text.data(), text.data() + text.size(), id);
      custom[id] = customStyle(attribute(attributes, "formatCode"));
    } else if (localName == "cellXfs") {
      inCellXfs_ = true;
    } else if (localName == "xf" && inCellXfs_) {
      int id = 0;
      const auto text = attribute(attributes, "numFmtId");
      std::from_chars(text.data(), text.data() + text.size(), id);
      if (const auto found = custom.find(id); found != custom.end()) {
        cellStyles.push_back(found->second);
      } else if (builtInDate(id)) {
        cellStyles.push_back(NumberStyle::Date);
      } else if (id == 11 || id == 48) {
        cellStyles.push_back(NumberStyle::Scientific);
      } else {
        cellStyles.push_back(NumberStyle::General);
      }
    }
  }
  void end(std::string_view localName) override {
    if (localName == "cellXfs") inCellXfs_ = false;
  }

 private:
  bool inCellXfs_ = false;
};

class SharedStringsHandler final : public SafeHandler {
 public:
  SharedStringsHandler(SharedStrings& strings, size_t maxStringBytes) : strings_(strings), max_(maxStringBytes) {}

  void start(std::string_view localName, const Attributes& attributes) override {
    if (localName == "sst") {
      // Sized once from the count the part declares (bounded by the text
      // limit): growing by doubling would hold both copies at the peak.
      size_t count = 0;
      const auto declared = attribute(attributes, "uniqueCount");
      std::from_chars(declared.data(), declared.data() + declared.size(), count);
      strings_.reserve(count);
    } else if (localName == "si") {
      text_.clear();
    } else if (localName == "t") {
      inText_ = phonetic_ == 0;
    } else if (localName == "rPh") {
      ++phonetic_;  // a reading guide over East Asian text, not its content
    }
  }
  void end(std::string_view localName) override {
    if (localName == "si") {
      strings_.add(text_);
    } else if (localName == "t") {
      inText_ = false;
    } else if (localName == "rPh") {
      --phonetic_;
    }
  }
  void characters(const XMLChar ch[], int start, int length) override {
    if (!inText_ || text_.size() > max_) return;
    text_.append(ch + start, std::min<size_t>(static_cast<size_t>(length), max_ + 1 - text_.size()));
  }

 private:
  SharedStrings& strings_;
  size_t max_;
  std::string text_;
  bool inText_ = false;
  int phonetic_ = 0;
};

class WorkbookHandler final : public SafeHandler {
 public:
  struct Sheet {
    std::string name;
    std::string relationship;
    bool visible;
  };
  std::vector<Sheet> sheets;
  bool date1904 = false;

  void start(std::string_view localName, const Attributes& attributes) override {
    if (localName == "sheet") {
      const std::string_view state = attribute(attributes, "state");
      sheets.push_back({std::string(attribute(attributes, "name")), std::string(attribute(attributes, "id")),
                        state.empty() || state == "visible"});
    } else if (localName == "workbookPr") {
      date1904 = isTrue(attribute(attributes, "date1904"));
    }
  }
};

class RelationshipsHandler final : public SafeHandler {
 public:
  /// Id -> target, worksheets only (a chart sheet has no rows).
  std::map<std::string, std::string> worksheets;

  void start(std::string_view localName, const Attributes& attributes) override {
    if (localName != "Relationship") return;
    const std::string_view type = attribute(attributes, "Type");
    if (!type.ends_with("/worksheet")) return;
    worksheets[std::string(attribute(attributes, "Id"))] = std::string(attribute(attributes, "Target"));
  }
};

/// A relationship target ("worksheets/sheet1.xml", "/xl/worksheets/...")
/// as a part name inside the package.
std::string partName(const std::string& target) {
  if (target.starts_with("/")) return target.substr(1);
  return "xl/" + target;
}

/// Serial day -> civil date; Excel's 1900 system counts a 29 February 1900
/// that never was (serial 60), so serials before it are one day off.
std::chrono::year_month_day serialDate(int64_t serial, bool date1904) {
  using namespace std::chrono;
  if (date1904) return year_month_day{sys_days{year{1904} / January / 1} + days{serial}};
  if (serial < 61) return year_month_day{sys_days{year{1899} / December / 31} + days{serial}};
  return year_month_day{sys_days{year{1899} / December / 30} + days{serial}};
}

std::string formatDate(double serial, bool date1904) {
  // Beyond Excel's own range (9999-12-31) or negative: shown as the number.
  if (!(serial >= 0 && serial < 2958466)) return {};
  const auto whole = static_cast<int64_t>(std::floor(serial));
  auto seconds = static_cast<int64_t>(std::llround((serial - static_cast<double>(whole)) * 86400.0));
  int64_t day = whole;
  if (seconds >= 86400) {
    ++day;
    seconds -= 86400;
  }
  std::array<char, 40> out{};
  int written = 0;
  if (day == 0 && !date1904 && seconds > 0) {
    written = std::snprintf(out.data(), out.size(), "%02lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                            static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
    return std::string(out.data(), static_cast<size_t>(written));
  }
  const auto date = serialDate(day, date1904);
  written = std::snprintf(out.data(), out.size(), "%04d-%02u-%02u", static_cast<int>(date.year()),
                          static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  if (seconds > 0) {
    written += std::snprintf(out.data() + written, out.size() - static_cast<size_t>(written), " %02lld:%02lld",
                             static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60));
    if (seconds % 60 != 0) {
      written += std::snprintf(out.data() + written, out.size() - static_cast<size_t>(written), ":%02lld",
                               static_cast<long long>(seconds % 60));
    }
  }
  return std::string(out.data(), static_cast<size_t>(written));
}

/// The fewest significant digits (up to 15, Excel's precision) that give
/// back the value: 2015550123 -> 2.015550123E+09, 2015550000 -> 2.01555E+09.
std::string formatScientific(double value) {
  std::array<char, 40> rounded{};
  std::snprintf(rounded.data(), rounded.size(), "%.14E", value);
  const double wanted = std::strtod(rounded.data(), nullptr);
  std::array<char, 40> out{};
  int written = 0;
  for (int precision = 0; precision <= 14; ++precision) {
    written = std::snprintf(out.data(), out.size(), "%.*E", precision, value);
    if (std::strtod(out.data(), nullptr) == wanted) break;
  }
  return std::string(out.data(), static_cast<size_t>(written));
}

}  // namespace

std::string_view attribute(const Attributes& attributes, std::string_view localName) {
  for (int i = 0; i < attributes.getLength(); ++i) {
    if (SafeHandler::localPart(attributes.getQName(i)) == localName) return attributes.getValue(i);
  }
  return {};
}

void SafeHandler::startDTD(const XMLString&, const XMLString&, const XMLString&) {
  throw CsvError(
      "the workbook is refused: one of its parts declares a document type (entities), which a spreadsheet never "
      "does; save it again from Excel as .xlsx or CSV and upload that",
      1);
}

void parseXml(std::istream& in, SafeHandler& handler, const std::string& part) {
  Poco::XML::SAXParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, false);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
  parser.setContentHandler(&handler);
  parser.setProperty(Poco::XML::XMLReader::PROPERTY_LEXICAL_HANDLER, static_cast<Poco::XML::LexicalHandler*>(&handler));
  Poco::XML::InputSource source(in);
  try {
    parser.parse(&source);
  } catch (const CsvError&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw CsvError("the workbook cannot be read: its part " + part + " is not well-formed XML (" + e.displayText() +
                       "); open it in Excel, save it again as .xlsx, and upload that",
                   1);
  }
}

bool parseCellRef(std::string_view ref, size_t& column, int64_t& row) {
  size_t i = 0;
  size_t letters = 0;
  size_t col = 0;
  while (i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i]))) {
    col = col * 26 + static_cast<size_t>(std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    ++i;
    if (++letters > 3) return false;  // beyond XFD
  }
  if (letters == 0 || i == ref.size()) return false;
  int64_t number = 0;
  const auto [end, error] = std::from_chars(ref.data() + i, ref.data() + ref.size(), number);
  if (error != std::errc() || end != ref.data() + ref.size() || number < 1) return false;
  column = col - 1;
  row = number;
  return true;
}

void Styles::load(std::istream& in) {
  StylesHandler handler;
  parseXml(in, handler, "xl/styles.xml");
  styles_ = std::move(handler.cellStyles);
}

std::string formatNumber(const std::string& value, NumberStyle style, bool date1904) {
  char* end = nullptr;
  const double number = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || *end != '\0' || !std::isfinite(number)) return value;
  if (style == NumberStyle::Date) {
    std::string date = formatDate(number, date1904);
    if (!date.empty()) return date;
  }
  if (style == NumberStyle::Scientific && number != 0) return formatScientific(number);
  if (number == std::floor(number) && std::fabs(number) < 1e15) {
    std::array<char, 32> out{};
    const int written = std::snprintf(out.data(), out.size(), "%.0f", number);
    return std::string(out.data(), static_cast<size_t>(written));
  }
  std::array<char, 40> out{};
  const int written = std::snprintf(out.data(), out.size(), "%.15G", number);
  return std::string(out.data(), static_cast<size_t>(written));
}

void SharedStrings::load(std::istream& in, size_t maxStringBytes, uint64_t maxTotalBytes) {
  maxTotal_ = maxTotalBytes;
  SharedStringsHandler handler(*this, maxStringBytes);
  parseXml(in, handler, "xl/sharedStrings.xml");
}

void SharedStrings::add(std::string_view text) {
  total_ += text.size() + sizeof(Entry);
  if (total_ > maxTotal_) {
    throw CsvError("the workbook is refused: its text is over the import limit of " + std::to_string(maxTotal_) +
                       " bytes; split it into smaller files",
                   1);
  }
  if (blocks_.empty() || blocks_.back().size() + text.size() > blocks_.back().capacity()) {
    blocks_.emplace_back();
    blocks_.back().reserve(std::max(kBlockBytes, text.size()));
  }
  std::string& block = blocks_.back();
  entries_.push_back({static_cast<uint32_t>(blocks_.size() - 1), static_cast<uint32_t>(block.size()),
                      static_cast<uint32_t>(text.size())});
  block.append(text);
}

void SharedStrings::reserve(size_t count) {
  entries_.reserve(std::min<uint64_t>(count, maxTotal_ / sizeof(Entry)));
}

std::string_view SharedStrings::at(size_t index) const {
  const Entry& entry = entries_[index];
  return std::string_view(blocks_[entry.block]).substr(entry.offset, entry.size);
}

std::vector<MergedRange> scanMerges(std::istream& sheet, size_t maxRanges) {
  std::vector<MergedRange> ranges;
  std::string buffer;
  std::array<char, size_t{64} * 1024> chunk{};
  constexpr std::string_view kTag = "mergeCell ";
  while (sheet.read(chunk.data(), chunk.size()) || sheet.gcount() > 0) {
    buffer.append(chunk.data(), static_cast<size_t>(sheet.gcount()));
    size_t done = 0;
    for (size_t at = buffer.find(kTag); at != std::string::npos; at = buffer.find(kTag, at + 1)) {
      const size_t close = buffer.find('>', at);
      if (close == std::string::npos) break;  // the rest comes with the next chunk
      done = close;
      // A tag (<mergeCell or <x:mergeCell), not text: text cannot hold '<'.
      if (at == 0 || (buffer[at - 1] != '<' && buffer[at - 1] != ':')) continue;
      const std::string_view element(buffer.data() + at, close - at);
      const auto ref = element.find("ref=\"");
      if (ref == std::string_view::npos) continue;
      const auto refEnd = element.find('"', ref + 5);
      const std::string_view value = element.substr(ref + 5, refEnd - ref - 5);
      const auto colon = value.find(':');
      MergedRange range;
      if (colon == std::string_view::npos || !parseCellRef(value.substr(0, colon), range.firstColumn, range.firstRow) ||
          !parseCellRef(value.substr(colon + 1), range.lastColumn, range.lastRow) || range.lastRow < range.firstRow ||
          range.lastColumn < range.firstColumn) {
        continue;
      }
      if (ranges.size() < maxRanges) ranges.push_back(range);
    }
    // Keep only what may hold the start of a tag cut by the chunk's end.
    // (one byte before it too: the '<' of a tag whose name is cut).
    const size_t keep = std::max(done, buffer.size() > 4096 ? buffer.size() - 4096 : 0);
    buffer.erase(0, keep > 0 ? keep - 1 : 0);
  }
  return ranges;
}

WorkbookIndex WorkbookIndex::load(std::istream& workbook, std::istream& relationships) {
  WorkbookHandler sheets;
  parseXml(workbook, sheets, "xl/workbook.xml");
  RelationshipsHandler targets;
  parseXml(relationships, targets, "xl/_rels/workbook.xml.rels");
  WorkbookIndex index;
  index.date1904 = sheets.date1904;
  for (const auto& sheet : sheets.sheets) {
    const auto target = targets.worksheets.find(sheet.relationship);
    if (target == targets.worksheets.end()) continue;
    index.sheets.push_back({sheet.name, partName(target->second), sheet.visible});
  }
  return index;
}

}  // namespace sb::core::xlsx

#pragma once

#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/LexicalHandler.h>

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

/// The parts of an .xlsx workbook an import reads (ECMA-376 SpreadsheetML),
/// each parsed with Poco's SAX parser, safely: a document type declaration
/// (and with it every entity, internal or external) is refused.
namespace sb::core::xlsx {

/// A SAX handler that refuses a DTD: SpreadsheetML never has one, so one is
/// an entity-expansion or external-entity attempt.
/// Elements arrive by their local name (the prefix, if any, dropped):
/// SpreadsheetML is read without namespace processing, which costs a
/// twentieth of a large sheet's parse and tells nothing the names do not.
class SafeHandler : public Poco::XML::DefaultHandler, public Poco::XML::LexicalHandler {
 public:
  virtual void start(std::string_view name, const Poco::XML::Attributes& attributes) = 0;
  virtual void end(std::string_view /*name*/) {}

  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString& qname,
                    const Poco::XML::Attributes& attributes) final {
    start(localPart(qname), attributes);
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString& qname) final {
    end(localPart(qname));
  }
  static std::string_view localPart(std::string_view qname) {
    const auto colon = qname.find(':');
    return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
  }

  void startDTD(const Poco::XML::XMLString& name, const Poco::XML::XMLString& publicId,
                const Poco::XML::XMLString& systemId) override;
  void endDTD() override {}
  void startEntity(const Poco::XML::XMLString&) override {}
  void endEntity(const Poco::XML::XMLString&) override {}
  void startCDATA() override {}
  void endCDATA() override {}
  void comment(const Poco::XML::XMLChar[], int, int) override {}
};

/// An attribute by its local name ("id" finds r:id); empty when absent.
std::string_view attribute(const Poco::XML::Attributes& attributes, std::string_view localName);

/// Parses `in` into `handler`; a malformed document throws CsvError naming
/// the part.
void parseXml(std::istream& in, SafeHandler& handler, const std::string& part);

/// "AB12" -> column 27 (0-based), row 12; false when `ref` is not a cell.
bool parseCellRef(std::string_view ref, size_t& column, int64_t& row);

/// How a number cell is shown, from its style's number format.
enum class NumberStyle { General, Date, Scientific };

/// The number format of each cell style (xl/styles.xml, cellXfs).
class Styles {
 public:
  void load(std::istream& in);
  NumberStyle style(size_t index) const { return index < styles_.size() ? styles_[index] : NumberStyle::General; }

 private:
  std::vector<NumberStyle> styles_;
};

/// A number cell's text the way a person reads it: a whole number with all
/// its digits (a phone stored as a number keeps them), a date as
/// YYYY-MM-DD, a number shown in scientific notation with the digits the
/// cell really holds (2.01555E+09 when the rest were lost).
std::string formatNumber(const std::string& value, NumberStyle style, bool date1904);

/// xl/sharedStrings.xml, held compactly: text in large blocks, one small
/// entry per string. Strings longer than `maxStringBytes` are kept cut
/// (their row is refused later as too long).
class SharedStrings {
 public:
  /// Throws CsvError once the text passes `maxTotalBytes`.
  void load(std::istream& in, size_t maxStringBytes, uint64_t maxTotalBytes);
  bool has(size_t index) const { return index < entries_.size(); }
  std::string_view at(size_t index) const;
  size_t size() const { return entries_.size(); }

  // For the loader.
  void add(std::string_view text);
  void reserve(size_t count);

 private:
  struct Entry {
    uint32_t block;
    uint32_t offset;
    uint32_t size;
  };
  std::vector<std::string> blocks_;
  std::vector<Entry> entries_;
  uint64_t total_ = 0;
  uint64_t maxTotal_ = 0;
};

struct MergedRange {
  int64_t firstRow = 0;
  int64_t lastRow = 0;
  size_t firstColumn = 0;
  size_t lastColumn = 0;
};

/// The sheet's merged cells (written after its rows, so read in a first
/// pass over the part that only looks for <mergeCell ref="A1:C1"/>). At most
/// `maxRanges` are kept.
std::vector<MergedRange> scanMerges(std::istream& sheet, size_t maxRanges);

struct SheetEntry {
  std::string name;
  std::string part;  ///< e.g. xl/worksheets/sheet1.xml
  bool visible = true;
};

/// xl/workbook.xml with its relationships: the worksheets in tab order and
/// the date system.
struct WorkbookIndex {
  std::vector<SheetEntry> sheets;
  bool date1904 = false;

  static WorkbookIndex load(std::istream& workbook, std::istream& relationships);
};

}  // namespace sb::core::xlsx

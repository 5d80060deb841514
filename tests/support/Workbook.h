#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sb::test {

/// Writes .xlsx workbooks for the tests from XML the test gives, zipped
/// with Poco::Zip the way a spreadsheet program packs them (so nothing
/// binary is committed). Only what an import reads is written: the
/// workbook, its relationships, the sheets, and shared strings and styles
/// when given.
class Workbook {
 public:
  /// Adds a worksheet: `rows` is the inside of <sheetData> (see row() and
  /// the cell helpers), `after` what follows it (e.g. <mergeCells>).
  Workbook& sheet(std::string name, std::string rows, std::string after = {}, bool hidden = false);
  /// xl/sharedStrings.xml with these strings, in order.
  Workbook& sharedStrings(const std::vector<std::string>& strings);
  /// The cellXfs of xl/styles.xml: one number format id per style index,
  /// with custom format codes as (id, code).
  Workbook& styles(const std::vector<int>& cellFormats, const std::vector<std::pair<int, std::string>>& custom = {});
  Workbook& date1904();
  /// Replaces or adds a part as written (hostile tests).
  Workbook& part(std::string name, std::string content);
  /// Sizes in the local headers (a seekable writer, as Excel) or after the
  /// data (data descriptors, as a streaming writer).
  Workbook& streamed();

  std::string bytes() const;

 private:
  struct Sheet {
    std::string name;
    std::string xml;
    bool hidden;
  };
  std::vector<Sheet> sheets_;
  std::vector<std::pair<std::string, std::string>> parts_;
  bool date1904_ = false;
  bool streamed_ = false;
};

/// XML escaping for text content.
std::string xmlText(const std::string& text);
/// <c r="B3" t="inlineStr"><is><t>text</t></is></c>
std::string textCell(const std::string& ref, const std::string& text);
/// <c r="B3" s="style"><v>value</v></c>
std::string numberCell(const std::string& ref, const std::string& value, int style = -1);
/// <c r="B3" t="s"><v>index</v></c>
std::string sharedCell(const std::string& ref, int index);
/// <row r="n">cells</row>
std::string row(int number, const std::vector<std::string>& cells);
/// A row of inline texts from column A on (empty texts leave the cell out).
std::string textRow(int number, const std::vector<std::string>& texts);
/// "A", "B", ..., "AA" for a 0-based column.
std::string columnName(size_t column);

}  // namespace sb::test

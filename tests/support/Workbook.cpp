#include "support/Workbook.h"

#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>

#include <sstream>

namespace sb::test {
namespace {

constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr const char* kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string contentTypes(size_t sheets, bool strings, bool styles) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/xl/workbook.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>";
  for (size_t i = 1; i <= sheets; ++i) {
    xml += "<Override PartName=\"/xl/worksheets/sheet" + std::to_string(i) +
           ".xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>";
  }
  if (strings) {
    xml +=
        "<Override PartName=\"/xl/sharedStrings.xml\" "
        "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>";
  }
  if (styles) {
    xml +=
        "<Override PartName=\"/xl/styles.xml\" "
        "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>";
  }
  return xml + "</Types>";
}

}  // namespace

Workbook& Workbook::sheet(std::string name, std::string rows, std::string after, bool hidden) {
  std::string xml = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet xmlns=\"") +
                    kMain + "\" xmlns:r=\"" + kRel + "\"><sheetData>" + rows + "</sheetData>" + after + "</worksheet>";
  sheets_.push_back({std::move(name), std::move(xml), hidden});
  return *this;
}

Workbook& Workbook::sharedStrings(const std::vector<std::string>& strings) {
  std::string xml = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><sst xmlns=\"") + kMain +
                    "\" count=\"" + std::to_string(strings.size()) + "\" uniqueCount=\"" +
                    std::to_string(strings.size()) + "\">";
  for (const auto& text : strings) xml += "<si><t xml:space=\"preserve\">" + xmlText(text) + "</t></si>";
  return part("xl/sharedStrings.xml", xml + "</sst>");
}

Workbook& Workbook::styles(const std::vector<int>& cellFormats,
                           const std::vector<std::pair<int, std::string>>& custom) {
  std::string xml =
      std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><styleSheet xmlns=\"") + kMain + "\">";
  if (!custom.empty()) {
    xml += "<numFmts count=\"" + std::to_string(custom.size()) + "\">";
    for (const auto& [id, code] : custom) {
      xml += "<numFmt numFmtId=\"" + std::to_string(id) + "\" formatCode=\"" + xmlText(code) + "\"/>";
    }
    xml += "</numFmts>";
  }
  // A cell style format list first, as Excel writes: its xf are not the cells'.
  xml += "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs count=\"" +
         std::to_string(cellFormats.size()) + "\">";
  for (int id : cellFormats) xml += "<xf numFmtId=\"" + std::to_string(id) + "\" applyNumberFormat=\"1\"/>";
  return part("xl/styles.xml", xml + "</cellXfs></styleSheet>");
}

Workbook& Workbook::date1904() {
  date1904_ = true;
  return *this;
}

Workbook& Workbook::part(std::string name, std::string content) {
  for (auto& [existing, text] : parts_) {
    if (existing == name) {
      text = std::move(content);
      return *this;
    }
  }
  parts_.emplace_back(std::move(name), std::move(content));
  return *this;
}

Workbook& Workbook::streamed() {
  streamed_ = true;
  return *this;
}

std::string Workbook::bytes() const {
  std::vector<std::pair<std::string, std::string>> parts;
  bool strings = false;
  bool styles = false;
  for (const auto& [name, text] : parts_) {
    strings = strings || name == "xl/sharedStrings.xml";
    styles = styles || name == "xl/styles.xml";
  }
  parts.emplace_back("[Content_Types].xml", contentTypes(sheets_.size(), strings, styles));
  parts.emplace_back("_rels/.rels",
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
                     "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
                     "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
                     "Target=\"xl/workbook.xml\"/></Relationships>");
  std::string workbook = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"") + kMain +
                         "\" xmlns:r=\"" + kRel + "\">" + (date1904_ ? "<workbookPr date1904=\"1\"/>" : "") +
                         "<sheets>";
  std::string rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  for (size_t i = 0; i < sheets_.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    workbook += "<sheet name=\"" + xmlText(sheets_[i].name) + "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"" +
                (sheets_[i].hidden ? " state=\"hidden\"" : "") + "/>";
    rels += "<Relationship Id=\"rId" + n +
            "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
            "Target=\"worksheets/sheet" +
            n + ".xml\"/>";
    parts.emplace_back("xl/worksheets/sheet" + n + ".xml", sheets_[i].xml);
  }
  rels +=
      "<Relationship Id=\"rIdS\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
      "Target=\"styles.xml\"/></Relationships>";
  parts.emplace_back("xl/workbook.xml", workbook + "</sheets></workbook>");
  parts.emplace_back("xl/_rels/workbook.xml.rels", rels);
  for (const auto& extra : parts_) {
    bool replaced = false;
    for (auto& [name, text] : parts) {
      if (name == extra.first) {
        text = extra.second;
        replaced = true;
      }
    }
    if (!replaced) parts.push_back(extra);
  }
  std::stringstream out;
  Poco::Zip::Compress zip(out, !streamed_);
  for (const auto& [name, text] : parts) {
    std::istringstream in(text);
    zip.addFile(in, Poco::DateTime(2026, 12, 4), Poco::Path(name, Poco::Path::PATH_UNIX));
  }
  zip.close();
  return out.str();
}

std::string xmlText(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string textCell(const std::string& ref, const std::string& text) {
  return "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + xmlText(text) + "</t></is></c>";
}

std::string numberCell(const std::string& ref, const std::string& value, int style) {
  return "<c r=\"" + ref + "\"" + (style >= 0 ? " s=\"" + std::to_string(style) + "\"" : "") + "><v>" + value +
         "</v></c>";
}

std::string sharedCell(const std::string& ref, int index) {
  return "<c r=\"" + ref + "\" t=\"s\"><v>" + std::to_string(index) + "</v></c>";
}

std::string row(int number, const std::vector<std::string>& cells) {
  std::string xml = "<row r=\"" + std::to_string(number) + "\">";
  for (const auto& cell : cells) xml += cell;
  return xml + "</row>";
}

std::string textRow(int number, const std::vector<std::string>& texts) {
  std::vector<std::string> cells;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!texts[i].empty()) cells.push_back(textCell(columnName(i) + std::to_string(number), texts[i]));
  }
  return row(number, cells);
}

std::string columnName(size_t column) {
  std::string name;
  ++column;
  while (column > 0) {
    name.insert(name.begin(), static_cast<char>('A' + (column - 1) % 26));
    column = (column - 1) / 26;
  }
  return name;
}

}  // namespace sb::test

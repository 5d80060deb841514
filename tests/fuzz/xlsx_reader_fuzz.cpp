// libFuzzer target: the workbook reader must never crash, hang or grow
// without bound, whatever the bytes. The first byte chooses what the input
// is: the zip itself (the directory, the entries, the inflater), or a
// sheet's XML that is zipped into an otherwise valid workbook here (the SAX
// handling: cells, refs, styles, shared strings, merges). Either way it
// reads rows or throws CsvError / DomainError with a message.
#include "contacts/XlsxReader.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/CsvReader.h>

#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

namespace {

std::string workbookAround(const std::string& sheet) {
  std::stringstream out;
  Poco::Zip::Compress zip(out, true);
  auto add = [&](const std::string& name, const std::string& text) {
    std::istringstream in(text);
    zip.addFile(in, Poco::DateTime(2026, 12, 4), Poco::Path(name, Poco::Path::PATH_UNIX));
  };
  add("xl/workbook.xml",
      "<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
      "<sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>");
  add("xl/_rels/workbook.xml.rels",
      "<Relationships><Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
      "Target=\"worksheets/sheet1.xml\"/></Relationships>");
  add("xl/sharedStrings.xml", "<sst><si><t>name</t></si><si><r><t>pho</t></r><r><t>ne</t></r></si></sst>");
  add("xl/styles.xml",
      "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/></numFmts>"
      "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"11\"/><xf numFmtId=\"14\"/></cellXfs>"
      "</styleSheet>");
  add("xl/worksheets/sheet1.xml", sheet);
  zip.close();
  return out.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) input = workbookAround(input);
  std::istringstream in(input);
  sb::core::XlsxReader::Options options;
  options.maxFieldBytes = 256;
  options.maxRecordFields = 50;
  options.maxTextBytes = 1 << 20;
  options.zip.maxEntryBytes = 1 << 20;
  try {
    sb::core::XlsxReader reader(in, options);
    sb::core::CsvRecord record;
    int64_t previous = 0;
    while (reader.next(record)) {
      if (record.record <= previous || record.fields.size() > options.maxRecordFields) std::abort();
      previous = record.record;
      for (const auto& field : record.fields) {
        if (field.size() > options.maxFieldBytes) std::abort();
      }
    }
  } catch (const sb::core::CsvError&) {
  } catch (const sb::core::DomainError&) {
  }
  return 0;
}

// sb_csv_to_xlsx IN.csv OUT.xlsx: the same rows as an Excel workbook, the way
// Excel writes one (every text in the shared strings table, numbers as
// numbers), for the import benchmark (bench/xlsx_bench.sh).
#include <switchboard/core/contacts/CsvReader.h>

#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string column(size_t index) {
  std::string name;
  for (size_t n = index + 1; n > 0; n = (n - 1) / 26) name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  return name;
}

void add(Poco::Zip::Compress& zip, std::istream& in, const std::string& name) {
  zip.addFile(in, Poco::DateTime(), Poco::Path(name, Poco::Path::PATH_UNIX), Poco::Zip::ZipCommon::CM_DEFLATE,
              Poco::Zip::ZipCommon::CL_NORMAL);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: sb_csv_to_xlsx IN.csv OUT.xlsx\n";
    return 2;
  }
  std::ifstream csv(argv[1], std::ios::binary);
  if (!csv) {
    std::cerr << "cannot read " << argv[1] << "\n";
    return 2;
  }
  const std::string sheetPath = std::string(argv[2]) + ".sheet.xml";
  std::ofstream sheet(sheetPath, std::ios::binary);
  sheet << "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
           "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>";
  std::unordered_map<std::string, size_t> index;
  std::vector<const std::string*> strings;
  sb::core::CsvReader reader(csv);
  sb::core::CsvRecord record;
  while (reader.next(record)) {
    const std::string r = std::to_string(record.record);
    sheet << "<row r=\"" << r << "\">";
    for (size_t c = 0; c < record.fields.size(); ++c) {
      const std::string& value = record.fields[c];
      if (value.empty()) continue;
      auto [it, added] = index.try_emplace(value, strings.size());
      if (added) strings.push_back(&it->first);
      sheet << "<c r=\"" << column(c) << r << "\" t=\"s\"><v>" << it->second << "</v></c>";
    }
    sheet << "</row>";
  }
  sheet << "</sheetData></worksheet>";
  sheet.close();

  std::ostringstream shared;
  shared << "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" uniqueCount=\""
         << strings.size() << "\">";
  for (const std::string* text : strings) shared << "<si><t>" << escape(*text) << "</t></si>";
  shared << "</sst>";

  std::ofstream out(argv[2], std::ios::binary);
  Poco::Zip::Compress zip(out, true);
  std::istringstream types(
      "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
  add(zip, types, "[Content_Types].xml");
  std::istringstream workbook(
      "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet "
      "name=\"Contacts\" "
      "sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
  add(zip, workbook, "xl/workbook.xml");
  std::istringstream rels(
      "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
      "Target=\"worksheets/sheet1.xml\"/></Relationships>");
  add(zip, rels, "xl/_rels/workbook.xml.rels");
  std::istringstream sharedIn(shared.str());
  add(zip, sharedIn, "xl/sharedStrings.xml");
  std::ifstream sheetIn(sheetPath, std::ios::binary);
  add(zip, sheetIn, "xl/worksheets/sheet1.xml");
  zip.close();
  std::filesystem::remove(sheetPath);
  return 0;
}

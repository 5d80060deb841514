// .xlsx workbooks imported through the real service and SQLite: cells of
// every kind, merged cells, sheets, size, and hostile workbooks (issue 20).
// The workbooks are written by the test (support/Workbook.h).
#include "support/TempDir.h"
#include "support/Workbook.h"

#include "contacts/XlsxReader.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/ContactService.h>
#include <switchboard/core/contacts/CsvReader.h>
#include <switchboard/core/contacts/SqliteContactRepository.h>
#include <switchboard/core/contacts/SqliteDncRepository.h>

#include <catch2/catch.hpp>

#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>

#include <sstream>

using namespace sb::core;
using namespace sb::test;
using Catch::Matchers::Contains;

namespace {

struct XlsxStore {
  TempDir dir;
  Database database{(dir / "contacts.db").string()};
  SqliteContactRepository contacts{database};
  SqliteDncRepository dnc{database};
  ContactService service;

  explicit XlsxStore(ImportLimits limits = {}) : service(contacts, dnc, options(limits)) { database.migrate(); }

  static ContactServiceOptions options(ImportLimits limits) {
    ContactServiceOptions out;
    out.limits = limits;
    return out;
  }

  ContactList import(const std::string& bytes, const std::string& sheet = {}, const ColumnChoice& columns = {}) {
    std::istringstream in(bytes);
    return service.importList(in, "", "leads.xlsx", "test", {}, ImportOptions{columns, sheet});
  }

  DomainError refusal(const std::string& bytes, const std::string& sheet = {}) {
    try {
      import(bytes, sheet);
    } catch (const DomainError& e) {
      CHECK(service.lists().empty());  // nothing landed
      return e;
    }
    FAIL("the workbook was imported");
    throw std::logic_error("unreachable");
  }

  std::vector<Contact> all(int64_t listId) {
    ContactQuery query;
    query.listId = listId;
    query.perPage = 200;
    return service.contacts(query).items;
  }
};

std::string header() {
  return textRow(1, {"name", "company", "phone"});
}

}  // namespace

TEST_CASE("xlsx: a plain sheet of inline strings imports - the report names the format and sheet", "[xlsx]") {
  XlsxStore store;
  const auto list =
      store.import(Workbook()
                       .sheet("Leads", header() + textRow(2, {"Ada Lovelace", "Engines", "+1 212 555 0101"}) +
                                           textRow(3, {"Grace Hopper", "Navy", "(212) 555-0102"}))
                       .bytes());
  CHECK(list.importedCount == 2);
  CHECK(list.report.at("format") == "xlsx");
  CHECK(list.report.at("sheet") == "Leads");
  CHECK_FALSE(list.report.contains("delimiter"));
  const auto contacts = store.all(list.id);
  REQUIRE(contacts.size() == 2);
  CHECK(contacts[0].name == "Ada Lovelace");
  CHECK(contacts[0].phoneE164 == "+12125550101");
  CHECK(contacts[1].company == "Navy");
  CHECK(contacts[1].sourceRow == 3);  // the sheet's row number
}

TEST_CASE("xlsx: shared strings and a CRM's column names - first and last name are joined", "[xlsx][mapping]") {
  XlsxStore store;
  const auto list = store.import(
      Workbook()
          .sharedStrings({"First Name", "Last Name", "Company Name", "Mobile Phone", "Ada", "Lovelace", "Engines",
                          "+1 212 555 0101"})
          .sheet("Export",
                 row(1, {sharedCell("A1", 0), sharedCell("B1", 1), sharedCell("C1", 2), sharedCell("D1", 3)}) +
                     row(2, {sharedCell("A2", 4), sharedCell("B2", 5), sharedCell("C2", 6), sharedCell("D2", 7)}))
          .bytes());
  const auto contacts = store.all(list.id);
  REQUIRE(contacts.size() == 1);
  CHECK(contacts[0].name == "Ada Lovelace");
  CHECK(contacts[0].company == "Engines");
  CHECK(contacts[0].phoneE164 == "+12125550101");
}

TEST_CASE("xlsx: a phone stored as a number keeps its digits - one Excel already mangled is reported", "[xlsx]") {
  XlsxStore store;
  // Style 0 is General; style 1 shows scientific notation (built-in 11).
  const auto list = store.import(
      Workbook()
          .styles({0, 11})
          .sheet("Leads",
                 header() + row(2, {textCell("A2", "Number"), textCell("B2", "Co"), numberCell("C2", "2125550101")}) +
                     row(3, {textCell("A3", "Eleven digits"), textCell("B3", "Co"), numberCell("C3", "12125550102")}) +
                     row(4, {textCell("A4", "Shown scientific"), textCell("B4", "Co"),
                             numberCell("C4", "2125550103", 1)}) +
                     row(5, {textCell("A5", "Digits lost"), textCell("B5", "Co"), numberCell("C5", "2015550000", 1)}))
          .bytes());
  const auto contacts = store.all(list.id);
  REQUIRE(contacts.size() == 3);
  CHECK(contacts[0].phoneE164 == "+12125550101");
  CHECK(contacts[1].phoneE164 == "+12125550102");
  CHECK(contacts[2].phoneE164 == "+12125550103");
  REQUIRE(list.report.at("issues").size() == 1);
  const auto& lost = list.report.at("issues")[0];
  CHECK(lost.at("row") == 5);
  CHECK(lost.at("value") == "2.01555E+09");
  CHECK_THAT(lost.at("reason").get<std::string>(), Contains("scientific notation"));
}

TEST_CASE("xlsx: dates read as dates in either date system - other numbers as written", "[xlsx]") {
  // 46082 is 2026-03-01 in the 1900 system; a custom format and built-in 14.
  const auto sheet = textRow(1, {"name", "company", "phone", "signed up", "renewal", "score"}) +
                     row(2, {textCell("A2", "Ada"), textCell("B2", "Co"), textCell("C2", "+12125550101"),
                             numberCell("D2", "46082", 1), numberCell("E2", "46082.5", 2), numberCell("F2", "0.25")});
  SECTION("1900") {
    XlsxStore store;
    const auto list =
        store.import(Workbook().styles({0, 164, 14}, {{164, "yyyy\\-mm\\-dd;@"}}).sheet("S", sheet).bytes());
    const auto contact = store.all(list.id).at(0);
    CHECK(contact.attributes.at("signed up") == "2026-03-01");
    CHECK(contact.attributes.at("renewal") == "2026-03-01 12:00");
    CHECK(contact.attributes.at("score") == "0.25");
  }
  SECTION("1904") {
    XlsxStore store;
    const auto list =
        store.import(Workbook().date1904().styles({0, 164, 14}, {{164, "d/m/yyyy"}}).sheet("S", sheet).bytes());
    CHECK(store.all(list.id).at(0).attributes.at("signed up") == "2030-03-02");
  }
}

TEST_CASE("xlsx: empty cells, empty rows and skipped rows - numbered as the sheet shows them", "[xlsx]") {
  XlsxStore store;
  const auto list = store.import(
      Workbook()
          .sheet("Leads", header() + row(2, {textCell("A2", "Ada"), textCell("C2", "+12125550101")}) +
                              row(3, {textCell("A3", " "), textCell("B3", "")}) + row(4, {}) +
                              row(9, {textCell("A9", "Grace"), textCell("B9", "Navy"), textCell("C9", "+12125550102")}))
          .bytes());
  CHECK(list.importedCount == 2);
  CHECK(list.report.at("blank_rows") == 2);
  const auto contacts = store.all(list.id);
  CHECK(contacts[0].company.empty());
  CHECK(contacts[1].sourceRow == 9);
}

TEST_CASE("xlsx: merged cells - a title over the header is skipped and a merged value fills its cells", "[xlsx]") {
  XlsxStore store;
  // Row 1: a title merged over the table. Row 2: "phone" merged over two
  // columns (mobile, office). Company merged down rows 3-4.
  const auto list =
      store.import(Workbook()
                       .sheet("Leads",
                              textRow(1, {"March leads"}) + textRow(2, {"name", "company", "phone"}) +
                                  textRow(3, {"Ada", "Engines", "", "+12125550101"}) +
                                  textRow(4, {"Charles", "", "+12125550102", "+12125550103"}),
                              "<mergeCells count=\"3\"><mergeCell ref=\"A1:D1\"/><mergeCell ref=\"C2:D2\"/>"
                              "<mergeCell ref=\"B3:B4\"/></mergeCells>")
                       .bytes());
  const auto contacts = store.all(list.id);
  REQUIRE(contacts.size() == 2);
  CHECK(contacts[0].phoneE164 == "+12125550101");  // the second phone column, the first being empty
  CHECK(contacts[1].company == "Engines");
  CHECK(contacts[1].phoneE164 == "+12125550102");
  CHECK(list.report.at("phone_columns").size() == 2);
}

TEST_CASE("xlsx: two sheets - the first visible by default, another by name, an unknown one listed", "[xlsx]") {
  const auto bytes = Workbook()
                         .sheet("Notes", textRow(1, {"nothing here"}), {}, true)
                         .sheet("Leads", header() + textRow(2, {"Ada", "Engines", "+12125550101"}))
                         .sheet("Old Leads", header() + textRow(2, {"Grace", "Navy", "+12125550102"}) +
                                                 textRow(3, {"Alan", "Bletchley", "+12125550103"}))
                         .bytes();
  XlsxStore store;
  CHECK(store.import(bytes).report.at("sheet") == "Leads");
  const auto named = store.import(bytes, "old leads");  // any case
  CHECK(named.report.at("sheet") == "Old Leads");
  CHECK(named.importedCount == 2);
  try {
    store.import(bytes, "Prospects");
    FAIL("an unknown sheet was read");
  } catch (const DomainError& e) {
    CHECK(e.kind() == DomainError::Kind::Validation);
    CHECK_THAT(e.what(), Contains("'Notes', 'Leads', 'Old Leads'"));
    CHECK(e.details().at("field") == "sheet");
  }
  std::istringstream csv("name,company,phone\nAda,Engines,+12125550101\n");
  CHECK_THROWS_AS(store.service.importList(csv, "", "a.csv", "test", {}, ImportOptions{{}, "Leads"}), DomainError);
}

TEST_CASE("xlsx: a 100,000-row sheet imports whole", "[xlsx][slow]") {
  std::string rows = header();
  rows.reserve(12'000'000);
  for (int i = 0; i < 100000; ++i) {
    const int r = i + 2;
    const std::string n = std::to_string(r);
    rows += "<row r=\"" + n + "\"><c r=\"A" + n + "\" t=\"inlineStr\"><is><t>Person " + n + "</t></is></c><c r=\"B" +
            n + "\" t=\"inlineStr\"><is><t>Co</t></is></c><c r=\"C" + n + "\"><v>" + std::to_string(2125000000 + i) +
            "</v></c></row>";
  }
  XlsxStore store;
  const auto list = store.import(Workbook().sheet("Big", rows).bytes());
  CHECK(list.rowsTotal == 100000);
  CHECK(list.importedCount == 100000);
}

TEST_CASE("xlsx: a cell over the field limit skips its row only", "[xlsx]") {
  XlsxStore store;
  const auto list =
      store.import(Workbook()
                       .sheet("Leads", header() + textRow(2, {"Ada", std::string(70 * 1024, 'x'), "+12125550101"}) +
                                           textRow(3, {"Grace", "Navy", "+12125550102"}))
                       .bytes());
  CHECK(list.importedCount == 1);
  CHECK(list.report.at("issues")[0].at("code") == "field_too_long");
  CHECK(list.report.at("issues")[0].at("row") == 2);
}

TEST_CASE("xlsx: one long shared text repeated across rows and columns is bounded by the row, not let grow",
          "[xlsx][security]") {
  // 1,000 rows of 50 cells that each name one 60 KB shared text: 3 GB of
  // text from 1.3 MB of XML. Each such row is refused on its own; memory
  // stays a few batches' worth (without the bound this test runs out of it).
  std::vector<std::string> head = {"name", "company", "phone"};
  for (int c = 4; c <= 53; ++c) head.push_back("note " + std::to_string(c));
  std::string rows = textRow(1, head) + textRow(2, {"Ada", "Engines", "+12125550101", "short"});
  for (int r = 3; r < 1003; ++r) {
    const std::string n = std::to_string(r);
    rows += "<row r=\"" + n + "\">" + textCell("A" + n, "P" + n) + textCell("B" + n, "Co") +
            textCell("C" + n, std::to_string(2125550000 + r));
    for (size_t c = 3; c < 53; ++c) rows += sharedCell(columnName(c) + n, 0);
    rows += "</row>";
  }
  XlsxStore store;
  const auto list = store.import(Workbook().sharedStrings({std::string(60000, 'x')}).sheet("Leads", rows).bytes());
  CHECK(list.importedCount == 1);
  CHECK(list.skippedCount == 1000);
  CHECK(list.report.at("issues")[0].at("code") == "field_too_long");
}

TEST_CASE("xlsx: a workbook written with data descriptors reads the same", "[xlsx]") {
  XlsxStore store;
  const auto list = store.import(
      Workbook().streamed().sheet("Leads", header() + textRow(2, {"Ada", "Engines", "+12125550101"})).bytes());
  CHECK(list.importedCount == 1);
}

TEST_CASE("xlsx: a sheet written with namespace prefixes (x:row, x:c) reads the same", "[xlsx]") {
  XlsxStore store;
  const std::string sheet =
      "<?xml version=\"1.0\"?><x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
      "<x:sheetData><x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>name</x:t></x:is></x:c>"
      "<x:c r=\"B1\" t=\"inlineStr\"><x:is><x:t>company</x:t></x:is></x:c>"
      "<x:c r=\"C1\" t=\"inlineStr\"><x:is><x:t>phone</x:t></x:is></x:c></x:row>"
      "<x:row r=\"2\"><x:c r=\"A2\" t=\"inlineStr\"><x:is><x:t>Ada</x:t></x:is></x:c>"
      "<x:c r=\"B2\" t=\"inlineStr\"><x:is><x:t>Engines</x:t></x:is></x:c><x:c r=\"C2\"><x:v>2125550101</x:v></x:c>"
      "</x:row></x:sheetData><x:mergeCells><x:mergeCell ref=\"A2:A3\"/></x:mergeCells></x:worksheet>";
  const auto list = store.import(Workbook().sheet("Leads", "").part("xl/worksheets/sheet1.xml", sheet).bytes());
  const auto contacts = store.all(list.id);
  REQUIRE(contacts.size() == 1);
  CHECK(contacts[0].phoneE164 == "+12125550101");
}

TEST_CASE("xlsx: a workbook adds to an existing list", "[xlsx]") {
  XlsxStore store;
  std::istringstream csv("name,company,phone\nAda,,+12125550101\n");
  const auto first = store.service.importList(csv, "Leads", "a.csv", "test");
  std::istringstream more(Workbook()
                              .sheet("S", header() + textRow(2, {"Ada", "Engines", "+12125550101"}) +
                                              textRow(3, {"Grace", "Navy", "+12125550102"}))
                              .bytes());
  const auto added = store.service.appendToList(first.id, more, "more.xlsx", "test");
  CHECK(added.report.at("already_in_list") == 1);
  CHECK(added.importedCount == 1);
  const auto contacts = store.all(first.id);
  REQUIRE(contacts.size() == 2);
  CHECK(contacts[0].company == "Engines");  // its empty field filled
}

TEST_CASE("xlsx: hostile and foreign files are refused with what to do", "[xlsx][security]") {
  XlsxStore store;
  SECTION("a zip bomb: a part compressed far beyond any sheet") {
    std::string rows = header();
    rows += std::string(40u << 20, ' ');  // whitespace between rows: 40 MiB that deflate to almost nothing
    const auto e = store.refusal(Workbook().sheet("Leads", rows).bytes());
    CHECK(e.kind() == DomainError::Kind::CsvInvalid);
    CHECK_THAT(e.what(), Contains("compressed more than 200 to 1"));
  }
  SECTION("too many parts") {
    Workbook book;
    book.sheet("Leads", header() + textRow(2, {"Ada", "Engines", "+12125550101"}));
    for (int i = 0; i < 10001; ++i) book.part("xl/media/p" + std::to_string(i) + ".bin", "x");
    CHECK_THAT(store.refusal(book.bytes()).what(), Contains("more than 10000 parts"));
  }
  SECTION("entity expansion") {
    const std::string laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]><worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>&c;</t>"
        "</is></c></row></sheetData></worksheet>";
    const auto e = store.refusal(Workbook().sheet("Leads", "").part("xl/worksheets/sheet1.xml", laughs).bytes());
    CHECK_THAT(e.what(), Contains("declares a document type"));
  }
  SECTION("an external entity") {
    const std::string external =
        "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY x SYSTEM "
        "\"file:///etc/passwd\">]><sst><si><t>&x;</t></si></sst>";
    const auto e = store.refusal(Workbook().sheet("Leads", header()).part("xl/sharedStrings.xml", external).bytes());
    CHECK_THAT(e.what(), Contains("declares a document type"));
  }
  SECTION("merged cells over a whole sheet") {
    const auto e = store.refusal(Workbook()
                                     .sheet("Leads", header() + textRow(2, {"Ada", "Engines", "+12125550101"}),
                                            "<mergeCells><mergeCell ref=\"A2:Z1048576\"/></mergeCells>")
                                     .bytes());
    CHECK_THAT(e.what(), Contains("unmerge its cells"));
  }
  SECTION("a sheet over the row limit") {
    ImportLimits limits;
    limits.maxRows = 50;
    XlsxStore limited(limits);
    std::string rows = header();
    for (int r = 2; r <= 70; ++r) rows += textRow(r, {"P" + std::to_string(r), "Co", std::to_string(2125550100 + r)});
    const auto e = limited.refusal(Workbook().sheet("Leads", rows).bytes());
    CHECK(e.kind() == DomainError::Kind::TooLarge);
  }
  SECTION("not well-formed XML") {
    const auto e = store.refusal(
        Workbook().sheet("Leads", "").part("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row>").bytes());
    CHECK_THAT(e.what(), Contains("not well-formed XML"));
  }
  SECTION("a shared string that does not exist") {
    const auto e =
        store.refusal(Workbook().sharedStrings({"name"}).sheet("Leads", row(1, {sharedCell("A1", 7)})).bytes());
    CHECK_THAT(e.what(), Contains("shared text"));
  }
  SECTION("a cut-off file") {
    std::string bytes = Workbook().sheet("Leads", header()).bytes();
    bytes.resize(bytes.size() / 2);
    CHECK_THAT(store.refusal(bytes).what(), Contains("the file is cut short or damaged"));
  }
  SECTION("an OpenDocument spreadsheet") {
    // An .ods is a zip with a mimetype and content.xml, no workbook parts.
    std::string bytes;
    {
      std::stringstream out;
      Poco::Zip::Compress zip(out, true);
      std::istringstream mime("application/vnd.oasis.opendocument.spreadsheet");
      zip.addFile(mime, Poco::DateTime(), Poco::Path("mimetype"));
      zip.close();
      bytes = out.str();
    }
    CHECK_THAT(store.refusal(bytes).what(), Contains("OpenDocument spreadsheet (.ods)"));
  }
  SECTION("an old .xls") {
    const std::string xls = std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") + " rest of a compound file";
    CHECK_THAT(store.refusal(xls).what(), Contains("save it as an Excel workbook (.xlsx) or as \"CSV UTF-8\""));
  }
}

/// Rewrites the uncompressed size a zip's directory declares for `name`
/// (local header and central directory): a lie about the size.
void declareSize(std::string& zip, const std::string& name, uint32_t size) {
  auto put = [&](size_t at) {
    for (int i = 0; i < 4; ++i) zip[at + static_cast<size_t>(i)] = static_cast<char>((size >> (8 * i)) & 0xFF);
  };
  const std::string local("PK\x03\x04", 4);
  const std::string central("PK\x01\x02", 4);
  int patched = 0;
  for (size_t at = zip.find(local); at != std::string::npos; at = zip.find(local, at + 1)) {
    if (zip.compare(at + 30, name.size(), name) == 0) put(at + 22), ++patched;
  }
  for (size_t at = zip.find(central); at != std::string::npos; at = zip.find(central, at + 1)) {
    if (zip.compare(at + 46, name.size(), name) == 0) put(at + 24), ++patched;
  }
  REQUIRE(patched == 2);
}

TEST_CASE("xlsx: the zip limits hold while a part streams, whatever its directory says", "[xlsx][security]") {
  std::string rows = header();
  for (int r = 2; r < 100; ++r) rows += textRow(r, {"P" + std::to_string(r), "Co", std::to_string(2125550100 + r)});
  std::string bytes = Workbook().sheet("Leads", rows).bytes();
  declareSize(bytes, "xl/worksheets/sheet1.xml", 1000);
  std::istringstream in(bytes);
  XlsxReader::Options options;
  options.zip.maxEntryBytes = 2000;  // above every declared size, below the sheet's real one
  try {
    XlsxReader reader(in, options);
    CsvRecord record;
    while (reader.next(record)) {
    }
    FAIL("the limits did not hold");
  } catch (const CsvError& e) {
    CHECK_THAT(e.what(), Contains("inflates to more than 2000 bytes"));
  }
}

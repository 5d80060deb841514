#include <switchboard/core/contacts/CsvReader.h>

#include <catch2/catch.hpp>

#include <sstream>

using sb::core::CsvError;
using sb::core::CsvReader;
using sb::core::CsvRecord;

namespace {

std::vector<CsvRecord> readAll(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  std::vector<CsvRecord> records;
  CsvRecord record;
  while (reader.next(record)) records.push_back(record);
  return records;
}

using Fields = std::vector<std::string>;

}  // namespace

TEST_CASE("csv: quotes, escaped quotes, delimiters and newlines inside fields", "[csv]") {
  const auto records = readAll("a,b,c\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,\n");
  REQUIRE(records.size() == 3);
  CHECK(records[1].fields == Fields{"x,1", "say \"hi\"", "two\nlines"});
  CHECK(records[1].line == 2);
  CHECK(records[2].fields == Fields{"last", "", ""});
  CHECK(records[2].record == 3);
  CHECK(records[2].line == 4);  // the quoted newline moved it down a line
}

TEST_CASE("csv: CRLF, CR and LF line ends, BOM, and no final newline", "[csv]") {
  CHECK(readAll("\xEF\xBB\xBFh1,h2\r\n1,2\r\n")[0].fields == Fields{"h1", "h2"});
  CHECK(readAll("a\rb\rc").size() == 3);
  const auto records = readAll("a,b\r\n1,2");
  REQUIRE(records.size() == 2);
  CHECK(records[1].fields == Fields{"1", "2"});
}

TEST_CASE("csv: the delimiter is detected from the header", "[csv]") {
  std::istringstream semicolons("name;company;phone\nA;\"B; C\";1\n");
  CsvReader reader(semicolons);
  CsvRecord record;
  REQUIRE(reader.next(record));
  CHECK(reader.delimiter() == ';');
  REQUIRE(reader.next(record));
  CHECK(record.fields == Fields{"A", "B; C", "1"});

  std::istringstream tabs("name\tcompany, inc\tphone\n");
  CsvReader tabReader(tabs);
  REQUIRE(tabReader.next(record));
  CHECK(tabReader.delimiter() == '\t');
  CHECK(record.fields.size() == 3);
}

TEST_CASE("csv: spreadsheet leniency for stray quotes", "[csv]") {
  CHECK(readAll("5\" screen,x\n")[0].fields == Fields{"5\" screen", "x"});
  CHECK(readAll("\"quoted\"tail,x\n")[0].fields == Fields{"quotedtail", "x"});
}

TEST_CASE("csv: unreadable files fail with the line and what to do", "[csv]") {
  CHECK_THROWS_WITH(readAll("a,b\n\"open,1\n2,3\n"),
                    Catch::Matchers::Contains("line 2: a quoted field is never closed"));
  CHECK_THROWS_WITH(readAll("a\nJos\xE9\n"), Catch::Matchers::Contains("line 2: text is not valid UTF-8"));
  CHECK_THROWS_WITH(readAll("\xFF\xFE"
                            "a\0,\0"),
                    Catch::Matchers::Contains("UTF-16"));
  // A workbook is named as one, with what to do, never echoed as a header.
  CHECK_THROWS_WITH(readAll(std::string("PK\x03\x04\x14\0\x06\0", 8) + "[Content_Types].xml"),
                    Catch::Matchers::Contains("this is an Excel workbook (.xlsx)") &&
                        Catch::Matchers::Contains("save it as \"CSV UTF-8\""));
  CHECK_THROWS_WITH(readAll(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)),
                    Catch::Matchers::Contains("old Excel workbook (.xls)"));
}

TEST_CASE("a field over the limit is cut and marks its record, the next record reads normally", "[csv]") {
  // A quoted field over the limit, with a delimiter and a newline after the
  // cut: the quote still counts, so the record ends where the file says.
  std::istringstream huge("a,b\n\"" + std::string(70 * 1024, 'x') + ",\n\",2\nnext,3\n");
  CsvReader reader(huge);
  CsvRecord record;
  REQUIRE(reader.next(record));
  CHECK(record.tooLongField == -1);
  REQUIRE(reader.next(record));
  CHECK(record.tooLongField == 0);
  CHECK(record.fields.at(0).size() == 64 * 1024);
  CHECK(record.fields.at(1) == "2");
  REQUIRE(reader.next(record));
  CHECK(record.tooLongField == -1);
  CHECK(record.fields == std::vector<std::string>{"next", "3"});
  CHECK(record.line == 4);
  // A cut inside a multi-byte character is not taken for bad UTF-8.
  std::istringstream accents("a\n" + std::string(64 * 1024 - 1, 'x') + "\xC3\xA9\xC3\xA9\n");
  CsvReader accented(accents);
  REQUIRE(accented.next(record));
  REQUIRE(accented.next(record));
  CHECK(record.tooLongField == 0);
  CHECK(record.fields.at(0).size() == 64 * 1024 - 1);
}

TEST_CASE("utf-8 validation rejects overlongs, surrogates and truncation", "[csv]") {
  CHECK(sb::core::isValidUtf8("plain, é, 日本, 😀"));
  CHECK_FALSE(sb::core::isValidUtf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(sb::core::isValidUtf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(sb::core::isValidUtf8("\xE6\x97"));          // truncated
  CHECK_FALSE(sb::core::isValidUtf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
}

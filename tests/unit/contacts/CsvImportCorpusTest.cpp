// Every file of tests/fixtures/csv/ imported through the real service and
// SQLite, with its exact expected outcome.
#include "support/TempDir.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/ContactService.h>
#include <switchboard/core/contacts/SqliteContactRepository.h>
#include <switchboard/core/contacts/SqliteDncRepository.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace sb::core;
using Catch::Matchers::Contains;

namespace {

struct CorpusStore {
  sb::test::TempDir dir;
  Database database{(dir / "contacts.db").string()};
  SqliteContactRepository contacts{database};
  SqliteDncRepository dnc{database};
  ContactService service{contacts, dnc, ContactServiceOptions{}};

  CorpusStore() { database.migrate(); }

  ContactList import(const std::string& file) {
    std::ifstream in(std::string(SB_SOURCE_DIR) + "/tests/fixtures/csv/" + file, std::ios::binary);
    REQUIRE(in);
    return service.importList(in, "", file, "test");
  }

  DomainError refusal(const std::string& file) {
    try {
      import(file);
    } catch (const DomainError& e) {
      CHECK(service.lists().empty());  // nothing landed
      return e;
    }
    FAIL(file << " was imported");
    throw std::logic_error("unreachable");
  }

  std::vector<Contact> all(int64_t listId) {
    ContactQuery query;
    query.listId = listId;
    query.perPage = 200;
    return service.contacts(query).items;
  }
};

std::vector<std::string> reasons(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const auto& issue : report.at("issues")) {
    out.push_back("row " + std::to_string(issue.at("row").get<int>()) + " " + issue.at("severity").get<std::string>() +
                  " " + issue.at("column").get<std::string>() + ": " + issue.at("reason").get<std::string>());
  }
  return out;
}

}  // namespace

TEST_CASE("corpus: the original design's 5-row fixture imports 5 unverified contacts", "[import]") {
  CorpusStore store;
  const auto list = store.import("seed_fixture.csv");
  CHECK(list.importedCount == 5);
  CHECK(list.skippedCount == 0);
  CHECK(list.unverifiedCount == 5);  // area code 555 is possible, not valid
  for (const auto& issue : list.report.at("issues")) CHECK(issue.at("kind") == "unverified");
  const auto contacts = store.all(list.id);
  REQUIRE(contacts.size() == 5);
  CHECK(contacts[0].name == "John Doe");
  CHECK(contacts[0].company == "Acme Inc");
  CHECK(contacts[0].title == "CEO");
  CHECK(contacts[0].phoneE164 == "+15551234567");
  CHECK(contacts[0].status == "not_called");
  CHECK_FALSE(contacts[0].phoneVerified);
  CHECK(contacts[4].name == "Charlie Brown");
}

TEST_CASE("corpus: BOM, CRLF and messy headers", "[import]") {
  CorpusStore store;
  const auto list = store.import("bom_crlf.csv");
  CHECK(list.importedCount == 3);
  const auto contacts = store.all(list.id);
  CHECK(contacts[0].name == "Ada Lovelace");
  CHECK(contacts[0].phoneE164 == "+12125550101");
  CHECK(contacts[1].phoneE164 == "+12125550102");
  CHECK(contacts[2].phoneE164 == "+12125550103");
  CHECK(contacts[2].phoneVerified);
}

TEST_CASE("corpus: quoted commas, quotes and newlines survive", "[import]") {
  CorpusStore store;
  const auto list = store.import("quoted.csv");
  const auto contacts = store.all(list.id);
  REQUIRE(contacts.size() == 3);
  CHECK(contacts[0].name == "Smith, John");
  CHECK(contacts[0].company == "Smith, Jones & Co");
  CHECK(contacts[0].title == "Head of \"Growth\"");
  CHECK(contacts[1].company == "Multi\nLine Corp");
  CHECK(contacts[1].title == "Line one\nline two");
  CHECK(contacts[2].sourceRow == 4);  // spreadsheet row, whatever the line count
}

TEST_CASE("corpus: semicolons with international numbers, and tabs", "[import]") {
  CorpusStore store;
  const auto semicolon = store.import("semicolon.csv");
  CHECK(semicolon.report.at("delimiter") == "semicolon");
  const auto contacts = store.all(semicolon.id);
  REQUIRE(contacts.size() == 3);
  CHECK(contacts[0].name == "Jürgen Müller");
  CHECK(contacts[0].phoneE164 == "+4930901820");
  CHECK(contacts[1].phoneE164 == "+33142685300");
  CHECK(contacts[2].phoneE164 == "+442079460958");
  const auto tabs = store.import("tabs.tsv");
  CHECK(tabs.report.at("delimiter") == "tab");
  CHECK(store.all(tabs.id)[1].company == "Tabs, Inc");
}

TEST_CASE("corpus: Excel-formatted phones", "[import]") {
  CorpusStore store;
  const auto list = store.import("excel_phones.csv");
  CHECK(list.importedCount == 5);
  CHECK(list.skippedCount == 1);
  CHECK(reasons(list.report) ==
        std::vector<std::string>{"row 3 error phone: phone was mangled by Excel's scientific notation (digits lost); "
                                 "format the column as Text"});
  const auto contacts = store.all(list.id);
  REQUIRE(contacts.size() == 5);
  CHECK(contacts[0].phoneE164 == "+12125550109");
  CHECK(contacts[1].phoneE164 == "+12125550110");
  CHECK(contacts[2].phoneE164 == "+12125550111");
  CHECK(contacts[2].phoneExtension == "42");
  CHECK(contacts[2].phoneRaw == "(212) 555-0111 x42");
  // product.md 3b: a phone cell goes to libphonenumber as written, so a
  // formula that holds a number and Excel's text wrapper both import.
  CHECK(contacts[3].phoneE164 == "+12125550112");
  CHECK(contacts[4].phoneE164 == "+12015550213");
  CHECK(contacts[4].phoneRaw == "=\"201-555-0213\"");
}

TEST_CASE("corpus: formula cells are kept as text, a formula phone without a number is refused", "[import]") {
  CorpusStore store;
  const auto list = store.import("formulas.csv");
  const auto contacts = store.all(list.id);
  REQUIRE(contacts.size() == 1);
  CHECK(contacts[0].name == "=HYPERLINK(\"http://evil.example\",\"Click\")");
  CHECK(contacts[0].company == "@SUM(A1)");
  CHECK(reasons(list.report) == std::vector<std::string>{"row 3 error phone: phone is not a phone number"});
}

TEST_CASE("corpus: a shifted row is refused, the rest lands", "[import]") {
  CorpusStore store;
  const auto list = store.import("shifted.csv");
  CHECK(list.importedCount == 1);
  CHECK(reasons(list.report) ==
        std::vector<std::string>{"row 3 error : shifted row: 4 filled cells but the header has 3 columns (an "
                                 "unquoted delimiter inside a value?)"});
}

TEST_CASE("corpus: optional and extra columns", "[import]") {
  CorpusStore store;
  const auto list = store.import("extra_columns.csv");
  const auto contact = store.all(list.id).at(0);
  CHECK(contact.email == "extra@example.com");
  CHECK(contact.timezone == "America/New_York");
  CHECK(contact.attributes == nlohmann::json{{"Deal Size", "50000"}, {"Notes", "Met at, the fair"}});
  CHECK(list.report.at("attribute_columns") == nlohmann::json{"Deal Size", "Notes"});
}

TEST_CASE("corpus: files that cannot be a contact list are refused whole", "[import]") {
  CorpusStore store;
  CHECK_THAT(store.refusal("empty.csv").what(), Contains("the file is empty"));
  CHECK_THAT(store.refusal("header_only.csv").what(), Contains("a header but no data rows"));
  const auto missing = store.refusal("missing_column.csv");
  CHECK(missing.kind() == DomainError::Kind::MappingNeeded);
  CHECK(missing.details().at("missing") == nlohmann::json{"company"});
  CHECK(missing.details().at("preview") == nlohmann::json::parse(R"([["No Company", "212-555-0117"]])"));
  CHECK_THAT(store.refusal("duplicate_attribute.csv").what(), Contains("column 'notes' appears twice"));
  CHECK_THAT(store.refusal("latin1.csv").what(), Contains("line 2: text is not valid UTF-8"));
  CHECK_THAT(store.refusal("utf16.csv").what(), Contains("UTF-16"));
  CHECK_THAT(store.refusal("unterminated_quote.csv").what(), Contains("never closed"));
  const auto none = store.refusal("no_valid_rows.csv");
  CHECK_THAT(none.what(), Contains("No valid contacts found"));
  CHECK(reasons(none.details()) == std::vector<std::string>{"row 2 error phone: phone is empty",
                                                            "row 3 error name: name is empty",
                                                            "row 4 error phone: phone is too short for its country"});
}

TEST_CASE("corpus: limits refuse the file and leave nothing behind", "[import]") {
  CorpusStore store;
  ContactServiceOptions options;
  options.limits.maxRows = 4;
  ContactService limited(store.contacts, store.dnc, options);
  std::ifstream in(std::string(SB_SOURCE_DIR) + "/tests/fixtures/csv/seed_fixture.csv");
  try {
    limited.importList(in, "", "seed", "test");
    FAIL("imported");
  } catch (const DomainError& e) {
    CHECK(e.kind() == DomainError::Kind::TooLarge);
    CHECK_THAT(e.what(), Contains("more than the import limit of 4 data rows"));
  }
  CHECK(store.service.lists().empty());
}

TEST_CASE("corpus: numbers on the do-not-call list import as do_not_call", "[import][dnc]") {
  CorpusStore store;
  store.service.addDoNotCall("(555) 987-6543", "asked not to be called", "test");
  const auto list = store.import("seed_fixture.csv");
  const auto contacts = store.all(list.id);
  CHECK(contacts[1].status == "do_not_call");
  CHECK(contacts[0].status == "not_called");
  CHECK(store.service.isDoNotCall("+15559876543"));
  store.service.removeDoNotCall("+1 555 987 6543");
  CHECK(store.service.contact(contacts[1].id).status == "not_called");
  CHECK_FALSE(store.service.isDoNotCall("+15559876543"));
}

TEST_CASE("corpus: two columns both named phone are two phone columns", "[import]") {
  CorpusStore store;
  const auto list = store.import("duplicate_column.csv");
  const auto contact = store.all(list.id).at(0);
  CHECK(contact.phoneE164 == "+12125550118");
  CHECK(contact.attributes == nlohmann::json{{"Phone", "212-555-0119"}});
  CHECK(list.report.at("columns").at("phone") == nlohmann::json{"phone", "Phone"});
}

TEST_CASE("corpus: a CRM export's columns are matched by the synonym table", "[import]") {
  CorpusStore store;
  const auto list = store.import("crm_export.csv");
  CHECK(list.report.at("columns") == nlohmann::json::parse(R"({
    "name": ["First Name", "Last Name"], "company": "Company Name", "phone": ["Mobile Phone", "Work Phone"],
    "title": "Job Title", "email": "E-mail Address", "timezone": null})"));
  CHECK(list.importedCount == 4);
  CHECK(list.report.at("phone_columns") == nlohmann::json::parse(R"([{"column": "Mobile Phone", "rows": 2},
                                                                      {"column": "Work Phone", "rows": 2}])"));
  CHECK(list.report.at("attribute_columns") == nlohmann::json{"Lead Source"});
  CHECK(reasons(list.report) ==
        std::vector<std::string>{"row 4 warning phone: 'Mobile Phone' is not usable (phone is not a phone number); the "
                                 "number in 'Work Phone' is used",
                                 "row 6 error phone: phone is empty"});
  const auto contacts = store.all(list.id);
  REQUIRE(contacts.size() == 4);
  CHECK(contacts[0].name == "Ada Lovelace");
  CHECK(contacts[0].company == "Analytical Engines");
  CHECK(contacts[0].phoneE164 == "+12125550131");
  CHECK(contacts[0].email == "ada@example.com");
  CHECK(contacts[0].title == "Countess");
  // The phone not used and the name's parts stay with the contact.
  CHECK(contacts[0].attributes == nlohmann::json{{"Lead Source", "Trade show"},
                                                 {"Work Phone", "212-555-0132"},
                                                 {"First Name", "Ada"},
                                                 {"Last Name", "Lovelace"}});
  CHECK(contacts[1].phoneE164 == "+12125550133");
  CHECK(contacts[2].name == "Grace");
  CHECK(contacts[2].phoneE164 == "+12125550134");
  CHECK(contacts[2].attributes.at("Mobile Phone") == "n/a");
  CHECK(contacts[3].name == "Hopper");
}

TEST_CASE("corpus: a field over the size limit skips its row, not the file", "[import]") {
  CorpusStore store;
  // product.md 3b: the corpus's over-long field; the row is reported with
  // its line and the rows around it land.
  std::string csv = "name,company,phone,notes\nBefore,Co,212-555-0141,short\n";
  csv += "Huge,Co,212-555-0142,\"" + std::string(70 * 1024, 'x') + "\nstill inside\"\n";
  csv += "After,Co,212-555-0143,\"" + std::string(65536, 'y') + "\"\n";  // exactly the limit is fine
  std::istringstream in(csv);
  const auto list = store.service.importList(in, "", "long.csv", "test");
  CHECK(list.importedCount == 2);
  CHECK(list.skippedCount == 1);
  const auto& issue = list.report.at("issues").at(0);
  CHECK(issue.at("code") == "field_too_long");
  CHECK(issue.at("row") == 3);
  CHECK(issue.at("line") == 3);
  CHECK_THAT(issue.at("reason").get<std::string>(), Contains("'notes' is longer than 65536 bytes (line 3)"));
  const auto contacts = store.all(list.id);
  CHECK(contacts.at(1).name == "After");
  CHECK(contacts.at(1).attributes.at("notes").get<std::string>().size() == 65536);
}

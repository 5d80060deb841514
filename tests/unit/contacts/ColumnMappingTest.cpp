// The synonym table, the mapping a caller gives, and the 422 proposal when
// neither settles which column holds a required field.
#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/ColumnMapping.h>

#include <catch2/catch.hpp>

using namespace sb::core;
using Catch::Matchers::Contains;

namespace {

using Header = std::vector<std::string>;

nlohmann::json mapped(const Header& header, const ColumnChoice& choice = {}) {
  return resolveColumns(header, choice, 1).toJson(header);
}

DomainError refusal(const Header& header, const ColumnChoice& choice = {}) {
  try {
    resolveColumns(header, choice, 1);
  } catch (const DomainError& e) {
    return e;
  }
  FAIL("the header was mapped");
  throw std::logic_error("unreachable");
}

ColumnChoice choice(const char* json) {
  return ColumnChoice::fromJson(nlohmann::json::parse(json));
}

}  // namespace

TEST_CASE("mapping: headers match by synonym, whatever the case and punctuation", "[mapping]") {
  CHECK(headerKey(" Mobile-Phone # ") == "mobilephone");
  for (const char* header : {"Full Name", "contact", "CONTACT_NAME"}) CHECK(fieldForHeader(header) == "name");
  for (const char* header : {"Company Name", "Organization", "account", "Organisation"}) {
    CHECK(fieldForHeader(header) == "company");
  }
  for (const char* header :
       {"Phone Number", "Mobile", "mobile phone", "Cell", "Direct Dial", "Telephone", "Phone 2", "Mobile1"}) {
    CHECK(fieldForHeader(header) == "phone");
  }
  CHECK(fieldForHeader("Job Title") == "title");
  CHECK(fieldForHeader("E-mail Address") == "email");
  CHECK(fieldForHeader("Time Zone") == "timezone");
  CHECK(fieldForHeader("First Name") == "first_name");
  CHECK(fieldForHeader("Surname") == "last_name");
  CHECK(fieldForHeader("Deal Size").empty());
  CHECK(fieldForHeader("Phone Type").empty());  // a word after "phone" is another column

  CHECK(mapped({"Contact", "Account", "Cell", "Position", "Mail", "TZ", "Notes"}) == nlohmann::json::parse(R"({
    "name": "Contact", "company": "Account", "phone": "Cell", "title": "Position", "email": "Mail",
    "timezone": "TZ"})"));
  const auto mapping = resolveColumns({"Contact", "Account", "Cell", "Notes"}, {}, 1);
  CHECK(mapping.attributes == std::vector<size_t>{3});
}

TEST_CASE("mapping: first and last name are joined, a name column beats them", "[mapping]") {
  CHECK(mapped({"First Name", "Last Name", "Company", "Phone"}).at("name") ==
        nlohmann::json{"First Name", "Last Name"});
  CHECK(mapped({"Last Name", "Company", "Phone", "First Name"}).at("name") ==
        nlohmann::json{"First Name", "Last Name"});  // first name first, wherever it stands
  CHECK(mapped({"Surname", "Company", "Phone"}).at("name") == "Surname");
  const auto both = resolveColumns({"Name", "First Name", "Last Name", "Company", "Phone"}, {}, 1);
  CHECK(both.name == std::vector<size_t>{0});
  CHECK(both.attributes == std::vector<size_t>{1, 2});
}

TEST_CASE("mapping: every phone column, left to right, and the field's own name beats a synonym", "[mapping]") {
  CHECK(mapped({"Name", "Company", "Mobile", "Work Phone", "Phone 3"}).at("phone") ==
        nlohmann::json{"Mobile", "Work Phone", "Phone 3"});
  // Exact beats synonym, so these are not ties.
  CHECK(mapped({"Name", "Full Name", "Company", "Account", "Phone"}).at("name") == "Name");
  CHECK(mapped({"Name", "Full Name", "Company", "Account", "Phone"}).at("company") == "Company");
  // An optional field with two candidates takes the first; the other is an attribute.
  const auto titles = resolveColumns({"Name", "Company", "Phone", "Job Title", "Position"}, {}, 1);
  CHECK(titles.title == std::optional<size_t>(3));
  CHECK(titles.attributes == std::vector<size_t>{4});
}

TEST_CASE("mapping: a required field with no column, or two equal ones, is a 422 with a proposal", "[mapping]") {
  const auto missing = refusal({"Full Name", "Employer", "Notes", "Digits"});
  CHECK(missing.kind() == DomainError::Kind::MappingNeeded);
  CHECK(missing.details().at("missing") == nlohmann::json{"phone"});
  CHECK(missing.details().at("mapping").at("name") == "Full Name");
  CHECK(missing.details().at("mapping").at("company") == "Employer");
  CHECK(missing.details().at("mapping").at("phone").is_null());
  CHECK(missing.details().at("unmatched_columns") == nlohmann::json{"Notes", "Digits"});
  CHECK_THAT(missing.what(), Contains("no column found for phone") && Contains("the header has: Full Name, Employer"));

  const auto tie = refusal({"Contact", "Full Name", "Organization", "Account", "Phone"});
  CHECK(tie.details().at("ambiguous") ==
        nlohmann::json::parse(R"({"name": ["Contact", "Full Name"], "company": ["Organization", "Account"]})"));
  CHECK(tie.details().at("missing").empty());
  CHECK_THAT(tie.what(), Contains("name could be 'Contact' or 'Full Name'"));

  // The same header twice is named by number, so the proposal can be sent back.
  const auto twice = refusal({"Name", "Company", "Company", "Phone"});
  CHECK(twice.details().at("ambiguous").at("company") == nlohmann::json{"#2", "#3"});
  CHECK(mapped({"Name", "Company", "Company", "Phone"}, choice(R"({"company": "#3"})")).at("company") == "#3");
}

TEST_CASE("mapping: the caller's choice, by header text or number, wins over the table", "[mapping]") {
  const Header header = {"Who", "Firm Name", "Digits", "Mobile", "Remarks"};
  CHECK(refusal(header).kind() == DomainError::Kind::MappingNeeded);
  const auto chosen =
      resolveColumns(header, choice(R"({"name": "who", "company": 2, "phone": ["Digits", "Mobile"]})"), 1);
  CHECK(chosen.name == std::vector<size_t>{0});
  CHECK(chosen.company == std::optional<size_t>(1));
  CHECK(chosen.phone == std::vector<size_t>{2, 3});
  CHECK(chosen.attributes == std::vector<size_t>{4});
  // The table still fills what the choice leaves out; null keeps a field empty.
  CHECK(mapped({"Name", "Company", "Phone", "Email"}, choice(R"({"email": null})")).at("email").is_null());

  ColumnChoice cli;
  cli.add("phone=\"Mobile\"");
  cli.add("phone=#3");
  cli.add("name=Who");
  cli.add("company = Firm Name");
  CHECK(resolveColumns(header, cli, 1).phone == std::vector<size_t>{3, 2});
}

TEST_CASE("mapping: a wrong choice says what is wrong", "[mapping]") {
  const Header header = {"Name", "Company", "Phone"};
  CHECK_THAT(refusal(header, choice(R"({"phone": "Mobile"})")).what(),
             Contains("mapping for phone: the file has no column 'Mobile' (its header has: Name, Company, Phone)"));
  CHECK_THAT(refusal(header, choice(R"({"phone": "Name", "name": "Name"})")).what(),
             Contains("is given to two fields"));
  CHECK_THAT(refusal(header, choice(R"({"company": ["Name", "Company"]})")).what(), Contains("at most 1 column"));
  CHECK_THAT(refusal(header, choice(R"({"phone": "#9"})")).what(), Contains("no column '#9'"));
  CHECK_THROWS_WITH(choice(R"({"fax": "Phone"})"), Contains("unknown field 'fax'"));
  CHECK_THROWS_WITH(choice(R"({"phone": {"a": 1}})"), Contains("header text"));
  CHECK_THROWS_WITH(choice(R"({"phone": 0})"), Contains("number from 1"));
  CHECK_THROWS_WITH(choice(R"(["phone"])"), Contains("must be a JSON object"));
  ColumnChoice cli;
  CHECK_THROWS_WITH(cli.add("mobile=Phone"), Contains("not 'mobile'"));
  CHECK_THROWS_WITH(cli.add("phone="), Contains("names no column"));
}

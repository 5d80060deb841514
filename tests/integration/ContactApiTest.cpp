// The contacts API over real HTTP: upload (multipart and text/csv), lists,
// contacts with paging, search and filters, updates, deletes, and the
// do-not-call list; with every kind of bad input.
#include "support/HttpCall.h"
#include "support/TempDir.h"

#include "support/TestHost.h"
#include "support/Workbook.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using sb::test::httpCall;

namespace {

std::string csvFixture(const std::string& name) {
  std::ifstream in(std::string(SB_SOURCE_DIR) + "/tests/fixtures/csv/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct ContactHost : sb::test::TestHost {
  ContactHost() : TestHost(std::map<std::string, std::string>{{"import.max_bytes", "4096"}}) {}
  const std::string& agent = agentKey;
  const std::string& admin = adminKey;

  sb::sdk::HttpResponse call(const std::string& method, const std::string& target, const std::string& body = {},
                             const std::string& contentType = "application/json", const std::string& key = {}) {
    sb::sdk::Headers headers = {{"X-API-Key", key.empty() ? agent : key}};
    if (!body.empty()) headers.emplace_back("Content-Type", contentType);
    return httpCall(port(), method, target, headers, body);
  }

  nlohmann::json json(const sb::sdk::HttpResponse& response) { return nlohmann::json::parse(response.body); }

  std::string multipart(const std::string& csv, const std::string& name, const std::string& mapping = {}) {
    const std::string boundary = "----sbboundary7MA4YWxk";
    std::string body;
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + name + "\r\n";
    if (!mapping.empty()) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"mapping\"\r\n\r\n" + mapping + "\r\n";
    }
    body +=
        "--" + boundary +
        "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\nContent-Type: text/csv\r\n\r\n" +
        csv + "\r\n";
    body += "--" + boundary + "--\r\n";
    return body;
  }
};

}  // namespace

TEST_CASE("contacts api: multipart upload creates a list with its report", "[contacts-api]") {
  ContactHost host;
  const auto body = host.multipart(csvFixture("seed_fixture.csv"), "Q4 leads");
  const auto created =
      host.call("POST", "/api/v1/contact-lists", body, "multipart/form-data; boundary=----sbboundary7MA4YWxk");
  REQUIRE(created.status == 201);
  const auto result = host.json(created);
  CHECK(result.at("list").at("name") == "Q4 leads");
  CHECK(result.at("list").at("filename") == "leads.csv");
  CHECK(result.at("list").at("imported") == 5);
  CHECK(result.at("list").at("created_by") == "agent");
  CHECK(result.at("report").at("unverified") == 5);
  const std::string id = std::to_string(result.at("list").at("id").get<int64_t>());

  const auto lists = host.json(host.call("GET", "/api/v1/contact-lists"));
  REQUIRE(lists.at("data").size() == 1);
  CHECK(lists.at("data")[0].at("contact_count") == 5);
  CHECK_FALSE(lists.at("data")[0].contains("report"));

  const auto one = host.json(host.call("GET", "/api/v1/contact-lists/" + id));
  CHECK(one.at("report").at("issues").size() == 5);

  CHECK(host.call("DELETE", "/api/v1/contact-lists/" + id).status == 204);
  CHECK(host.json(host.call("GET", "/api/v1/contacts")).at("total") == 0);  // contacts went with it
  CHECK(host.call("GET", "/api/v1/contact-lists/" + id).status == 404);
}

TEST_CASE("contacts api: a text/csv body works too, bad files get CSV_INVALID with the report", "[contacts-api]") {
  ContactHost host;
  const auto created = host.call("POST", "/api/v1/contact-lists?name=Raw", csvFixture("duplicates.csv"), "text/csv");
  REQUIRE(created.status == 201);
  CHECK(host.json(created).at("list").at("duplicates") == 2);

  const auto invalid = host.call("POST", "/api/v1/contact-lists", csvFixture("no_valid_rows.csv"), "text/csv");
  CHECK(invalid.status == 422);
  const auto error = host.json(invalid).at("error");
  CHECK(error.at("code") == "CSV_INVALID");
  CHECK(error.at("details").at("issues").size() == 3);

  const auto missing = host.call("POST", "/api/v1/contact-lists", csvFixture("missing_column.csv"), "text/csv");
  CHECK(host.json(missing).at("error").at("details").at("missing_columns") == nlohmann::json{"company"});

  const auto wrongType = host.call("POST", "/api/v1/contact-lists", "{}", "application/json");
  CHECK(wrongType.status == 415);
  CHECK(host.json(wrongType).at("error").at("code") == "UNSUPPORTED_MEDIA_TYPE");

  const auto noFile = host.call("POST", "/api/v1/contact-lists",
                                "------b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n------b--\r\n",
                                "multipart/form-data; boundary=----b");
  CHECK(noFile.status == 400);

  const std::string big = "name,company,phone\n" + std::string(5000, 'x') + ",Co,212-555-0100\n";
  const auto tooBig = host.call("POST", "/api/v1/contact-lists", big, "text/csv");
  CHECK(tooBig.status == 413);
  CHECK(host.json(tooBig).at("error").at("code") == "PAYLOAD_TOO_LARGE");
  CHECK(host.json(host.call("GET", "/api/v1/contact-lists")).at("data").size() == 1);  // only the good one
}

TEST_CASE("contacts api: paging, search and filters", "[contacts-api]") {
  ContactHost host;
  host.call("POST", "/api/v1/contact-lists", csvFixture("seed_fixture.csv"), "text/csv");
  const auto second = host.json(host.call("POST", "/api/v1/contact-lists", csvFixture("quoted.csv"), "text/csv"));
  const std::string quotedList = std::to_string(second.at("list").at("id").get<int64_t>());

  auto page = host.json(host.call("GET", "/api/v1/contacts?per_page=3&page=2"));
  CHECK(page.at("total") == 8);
  CHECK(page.at("per_page") == 3);
  CHECK(page.at("data").size() == 3);
  CHECK(host.json(host.call("GET", "/api/v1/contacts")).at("per_page") == 50);

  CHECK(host.json(host.call("GET", "/api/v1/contacts?q=jane")).at("data")[0].at("name") == "Jane Smith");
  CHECK(host.json(host.call("GET", "/api/v1/contacts?q=Jones%20%26%20Co")).at("total") == 1);
  CHECK(host.json(host.call("GET", "/api/v1/contacts?q=(555)%20987")).at("data")[0].at("name") == "Jane Smith");
  CHECK(host.json(host.call("GET", "/api/v1/contacts?list_id=" + quotedList)).at("total") == 3);
  CHECK(host.json(host.call("GET", "/api/v1/contacts?status=not_called")).at("total") == 8);
  CHECK(host.json(host.call("GET", "/api/v1/contacts?q=100%25")).at("total") == 0);  // % is literal

  for (const char* bad : {"/api/v1/contacts?per_page=201", "/api/v1/contacts?page=0", "/api/v1/contacts?page=two",
                          "/api/v1/contacts?status=happy"}) {
    INFO(bad);
    const auto response = host.call("GET", bad);
    CHECK(response.status == 400);
    CHECK(host.json(response).at("error").at("code") == "VALIDATION_ERROR");
  }
  CHECK(host.call("GET", "/api/v1/contacts?per_page=200").status == 200);
}

TEST_CASE("contacts api: get, update and delete one contact", "[contacts-api]") {
  ContactHost host;
  host.call("POST", "/api/v1/contact-lists", csvFixture("seed_fixture.csv"), "text/csv");
  const int64_t id = host.json(host.call("GET", "/api/v1/contacts?q=John%20Doe")).at("data")[0].at("id");
  const std::string path = "/api/v1/contacts/" + std::to_string(id);

  CHECK(host.json(host.call("GET", path)).at("phone") == "+15551234567");
  const auto updated =
      host.call("PATCH", path, R"({"title":"Chief Exec","last_notes":"call after 3","attributes":{"tier":"A"}})");
  REQUIRE(updated.status == 200);
  CHECK(host.json(updated).at("title") == "Chief Exec");
  CHECK(host.json(updated).at("last_notes") == "call after 3");
  CHECK(host.json(updated).at("attributes") == nlohmann::json{{"tier", "A"}});
  CHECK(host.json(updated).at("company") == "Acme Inc");

  CHECK(host.call("PATCH", path, R"({"status":"happy"})").status == 400);
  CHECK(host.call("PATCH", path, R"({"name":""})").status == 400);
  CHECK(host.call("PATCH", path, R"({"phone":"+1"})").status == 400);  // unknown field
  CHECK(host.call("PATCH", path, R"({"title":5})").status == 400);
  CHECK(host.call("PATCH", path, "not json").status == 400);
  CHECK(host.call("GET", "/api/v1/contacts/999999").status == 404);
  CHECK(host.call("GET", "/api/v1/contacts/abc").status == 404);
  CHECK(host.call("DELETE", path).status == 204);
  CHECK(host.call("GET", path).status == 404);
  CHECK(host.call("DELETE", path).status == 404);
}

TEST_CASE("contacts api: the do-not-call list", "[contacts-api]") {
  ContactHost host;
  host.call("POST", "/api/v1/contact-lists", csvFixture("seed_fixture.csv"), "text/csv");
  const auto added = host.call("POST", "/api/v1/dnc", R"({"phone":"(555) 123-4567","reason":"asked"})");
  REQUIRE(added.status == 201);
  CHECK(host.json(added).at("phone") == "+15551234567");
  CHECK(host.json(added).at("created_by") == "agent");
  CHECK(host.json(host.call("GET", "/api/v1/contacts?status=do_not_call")).at("total") == 1);

  const auto listed = host.json(host.call("GET", "/api/v1/dnc"));
  CHECK(listed.at("total") == 1);
  CHECK(listed.at("data")[0].at("reason") == "asked");

  const auto invalid = host.call("POST", "/api/v1/dnc", R"({"phone":"12"})");
  CHECK(invalid.status == 400);
  CHECK(host.json(invalid).at("error").at("details").at("example") == "+15551234567");
  CHECK(host.call("POST", "/api/v1/dnc", R"({})").status == 400);

  // Removing is an admin's call.
  CHECK(host.call("DELETE", "/api/v1/dnc/%2B15551234567").status == 403);
  CHECK(host.call("DELETE", "/api/v1/dnc/%2B15551234567", {}, {}, host.admin).status == 204);
  CHECK(host.call("DELETE", "/api/v1/dnc/%2B15551234567", {}, {}, host.admin).status == 404);
  CHECK(host.json(host.call("GET", "/api/v1/contacts?status=do_not_call")).at("total") == 0);
}

TEST_CASE("contacts api: every route needs a key", "[contacts-api]") {
  ContactHost host;
  for (const char* path : {"/api/v1/contact-lists", "/api/v1/contacts", "/api/v1/dnc", "/api/v1/contacts/1"}) {
    CHECK(httpCall(host.port(), "GET", path).status == 401);
  }
}

TEST_CASE("contacts api: an upload cut off mid-body imports nothing", "[contacts-api]") {
  sb::test::TestHost host;
  std::string csv = "name,company,phone\n";
  for (int i = 0; csv.size() < 400 * 1024; ++i) {
    csv += "Person " + std::to_string(i) + ",Company,+1212" + std::to_string(2000000 + i) + "\n";
  }
  const std::string boundary = "----sbcut";
  const std::string multipart = "--" + boundary +
                                "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.csv\"\r\n\r\n" +
                                csv + "\r\n--" + boundary + "--\r\n";
  const struct {
    std::string contentType;
    std::string body;
  } uploads[] = {{"text/csv", csv}, {"multipart/form-data; boundary=" + boundary, multipart}};
  for (const auto& upload : uploads) {
    // Half the body, then the client stops sending: more than one read of
    // the importer, so rows were parsed before the body failed.
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", host.port()));
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    const std::string head = "POST /api/v1/contact-lists?name=cut HTTP/1.1\r\nHost: x\r\nX-API-Key: " + host.agentKey +
                             "\r\nContent-Type: " + upload.contentType +
                             "\r\nContent-Length: " + std::to_string(upload.body.size()) + "\r\n\r\n";
    const std::string sent = head + upload.body.substr(0, upload.body.size() / 2);
    socket.sendBytes(sent.data(), static_cast<int>(sent.size()));
    socket.shutdownSend();
    std::string answer;
    char buffer[4096];
    int got = 0;
    while ((got = socket.receiveBytes(buffer, sizeof buffer)) > 0) answer.append(buffer, static_cast<size_t>(got));
    INFO(answer.substr(0, 400));
    CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(answer.find("BAD_REQUEST") != std::string::npos);
    const auto lists = httpCall(host.port(), "GET", "/api/v1/contact-lists", {{"X-API-Key", host.agentKey}});
    CHECK(nlohmann::json::parse(lists.body).at("data").empty());
    const auto contacts = httpCall(host.port(), "GET", "/api/v1/contacts", {{"X-API-Key", host.agentKey}});
    CHECK(nlohmann::json::parse(contacts.body).at("total") == 0);
  }
}

TEST_CASE("contacts api: columns it cannot match get 422 MAPPING_REQUIRED, and the mapping sent back imports",
          "[contacts-api]") {
  ContactHost host;
  const std::string multipartType = "multipart/form-data; boundary=----sbboundary7MA4YWxk";
  const auto asked = host.call("POST", "/api/v1/contact-lists",
                               host.multipart(csvFixture("unmapped_header.csv"), "Leads"), multipartType);
  REQUIRE(asked.status == 422);
  const auto error = host.json(asked).at("error");
  CHECK(error.at("code") == "MAPPING_REQUIRED");
  const auto& details = error.at("details");
  CHECK(details.at("header") == nlohmann::json{"Who", "Outfit", "Digits", "Reach Me On", "Remarks"});
  CHECK(details.at("missing") == nlohmann::json{"name", "company", "phone"});
  CHECK(details.at("preview").at(0) == nlohmann::json{"Ada Lovelace", "Engines", "212-555-0151", "", "met at fair"});
  CHECK(host.json(host.call("GET", "/api/v1/contact-lists")).at("data").empty());  // nothing landed

  // The proposal with the missing fields filled in, sent back as the form's mapping.
  nlohmann::json mapping = details.at("mapping");
  mapping["name"] = "Who";
  mapping["company"] = 2;
  mapping["phone"] = {"Digits", "Reach Me On"};
  const auto created =
      host.call("POST", "/api/v1/contact-lists",
                host.multipart(csvFixture("unmapped_header.csv"), "Leads", mapping.dump()), multipartType);
  INFO(created.body);
  REQUIRE(created.status == 201);
  const auto report = host.json(created).at("report");
  CHECK(report.at("imported") == 2);
  CHECK(report.at("columns").at("company") == "Outfit");
  CHECK(report.at("phone_columns") ==
        nlohmann::json::parse(R"([{"column": "Digits", "rows": 1}, {"column": "Reach Me On", "rows": 1}])"));

  // A raw CSV body takes the mapping in the query.
  const std::string query =
      "/api/v1/contact-lists?mapping=%7B%22name%22%3A%22Who%22%2C%22company%22%3A%22Outfit%22%2C"
      "%22phone%22%3A%5B%22Digits%22%2C%22Reach%20Me%20On%22%5D%7D";
  CHECK(host.call("POST", query, csvFixture("unmapped_header.csv"), "text/csv").status == 201);

  // A bad mapping is a 400 that names it.
  const auto bad = host.call("POST", "/api/v1/contact-lists?mapping=%7B%22fax%22%3A1%7D",
                             csvFixture("unmapped_header.csv"), "text/csv");
  CHECK(bad.status == 400);
  CHECK(host.json(bad).at("error").at("details").at("field") == "mapping");
  const auto notJson =
      host.call("POST", "/api/v1/contact-lists?mapping=%7Bphone", csvFixture("unmapped_header.csv"), "text/csv");
  CHECK(notJson.status == 400);
  CHECK(host.json(notJson).at("error").at("message").get<std::string>().find("not valid JSON") != std::string::npos);
  const auto noColumn = host.call("POST", "/api/v1/contact-lists?mapping=%7B%22phone%22%3A%22Fax%22%7D",
                                  csvFixture("unmapped_header.csv"), "text/csv");
  CHECK(noColumn.status == 400);
}

TEST_CASE("contacts api: a second file is added to a list, numbers it has are merged, history untouched",
          "[contacts-api]") {
  ContactHost host;
  const auto created = host.call("POST", "/api/v1/contact-lists?name=Team",
                                 "name,company,phone,title\n"
                                 "Ann First,Alpha,+15551230001,\n"
                                 "Ben First,Beta,+15551230002,Buyer\n",
                                 "text/csv");
  REQUIRE(created.status == 201);
  const auto listId = std::to_string(host.json(created).at("list").at("id").get<int64_t>());
  const auto contacts = host.json(host.call("GET", "/api/v1/contacts?list_id=" + listId)).at("data");
  const auto ann = std::to_string(contacts.at(0).at("id").get<int64_t>());
  // Ann has been worked: her status and notes are what a second file must not touch.
  REQUIRE(
      host.call("PATCH", "/api/v1/contacts/" + ann, R"({"status":"called","last_notes":"call back friday"})").status ==
      200);

  // Another CRM's export of the same team: other column names, Ann again
  // (with a title she lacked), a new person twice, and a bad row.
  const auto added = host.call("POST", "/api/v1/contact-lists/" + listId + "/contacts?filename=more.csv",
                               "Full Name,Company Name,Mobile Phone,Job Title,Region\n"
                               "Ann Second,Alpha Renamed,(555) 123-0001,Director,East\n"
                               "Cy New,Gamma,+15551230003,,West\n"
                               "Cy Again,Gamma,555-123-0003,,\n"
                               "No Number,Delta,,,\n",
                               "text/csv");
  INFO(added.body);
  REQUIRE(added.status == 200);
  const auto answer = host.json(added);
  CHECK(answer.at("report").at("imported") == 1);
  CHECK(answer.at("report").at("already_in_list") == 1);
  CHECK(answer.at("report").at("duplicates") == 2);
  CHECK(answer.at("report").at("skipped") == 1);
  CHECK(answer.at("list").at("contact_count") == 3);
  CHECK(answer.at("list").at("imported") == 3);  // the list's totals: 2 + 1
  bool sawMerge = false;
  for (const auto& issue : answer.at("report").at("issues")) {
    if (issue.at("reason").get<std::string>().find("already in the list") == std::string::npos) continue;
    sawMerge = true;
    CHECK(issue.at("kind") == "merged");
    CHECK_THAT(issue.at("reason").get<std::string>(), Catch::Contains("its empty title, attributes filled"));
  }
  CHECK(sawMerge);

  const auto kept = host.json(host.call("GET", "/api/v1/contacts/" + ann));
  CHECK(kept.at("name") == "Ann First");  // what the list had wins
  CHECK(kept.at("company") == "Alpha");
  CHECK(kept.at("title") == "Director");  // an empty field is filled
  CHECK(kept.at("attributes").at("Region") == "East");
  CHECK(kept.at("status") == "called");
  CHECK(kept.at("last_notes") == "call back friday");
  const auto all = host.json(host.call("GET", "/api/v1/contacts?list_id=" + listId)).at("data");
  REQUIRE(all.size() == 3);
  CHECK(all.at(2).at("name") == "Cy New");

  // Every row already there: nothing new, and that is not an error.
  const auto again = host.call("POST", "/api/v1/contact-lists/" + listId + "/contacts",
                               "name,company,phone\nAnn,Alpha,+15551230001\n", "text/csv");
  CHECK(again.status == 200);
  CHECK(host.json(again).at("report").at("already_in_list") == 1);
  // No such list: 404, before the file is read.
  CHECK(host.call("POST", "/api/v1/contact-lists/999999/contacts", "name,company,phone\nA,B,+15551230009\n", "text/csv")
            .status == 404);
  // The same mapping answer as a new list.
  const auto unmatched =
      host.call("POST", "/api/v1/contact-lists/" + listId + "/contacts", csvFixture("unmapped_header.csv"), "text/csv");
  CHECK(unmatched.status == 422);
  CHECK(host.json(unmatched).at("error").at("code") == "MAPPING_REQUIRED");
}

TEST_CASE("contacts api: an .xlsx uploads as the body or in a form - a sheet by name, an unknown one listed",
          "[contacts-api][xlsx]") {
  ContactHost host;
  const auto workbook =
      sb::test::Workbook()
          .sheet("Notes", sb::test::textRow(1, {"notes"}))
          .sheet("Leads", sb::test::textRow(1, {"First Name", "Last Name", "Company Name", "Mobile"}) +
                              sb::test::textRow(2, {"Ada", "Lovelace", "Engines", "+15551234501"}))
          .bytes();
  const std::string xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const auto raw = host.call("POST", "/api/v1/contact-lists?name=Book&sheet=Leads&filename=leads.xlsx", workbook, xlsx);
  INFO(raw.body);
  REQUIRE(raw.status == 201);
  CHECK(host.json(raw).at("report").at("format") == "xlsx");
  CHECK(host.json(raw).at("report").at("sheet") == "Leads");
  CHECK(host.json(raw).at("list").at("imported") == 1);

  const auto unknown = host.call("POST", "/api/v1/contact-lists?sheet=Prospects", workbook, "application/octet-stream");
  CHECK(unknown.status == 400);
  CHECK(host.json(unknown).at("error").at("details").at("sheets") == nlohmann::json::array({"Notes", "Leads"}));

  // A form: the sheet field before the file.
  const std::string boundary = "----sbboundary7MA4YWxk";
  const std::string form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"sheet\"\r\n\r\nLeads\r\n--" +
                           boundary +
                           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.xlsx\"\r\n"
                           "Content-Type: application/octet-stream\r\n\r\n" +
                           workbook + "\r\n--" + boundary + "--\r\n";
  const auto listId = std::to_string(host.json(raw).at("list").at("id").get<int64_t>());
  const auto appended = host.call("POST", "/api/v1/contact-lists/" + listId + "/contacts", form,
                                  "multipart/form-data; boundary=" + boundary);
  INFO(appended.body);
  REQUIRE(appended.status == 200);
  CHECK(host.json(appended).at("report").at("already_in_list") == 1);

  // No type at all is still refused from the head.
  CHECK(host.call("POST", "/api/v1/contact-lists", workbook, "").status == 415);
}

#include <switchboard/sdk/json.hpp>

#include <catch2/catch.hpp>

using sb::sdk::json::nestingExceeds;
using sb::sdk::json::parseBounded;

TEST_CASE("json: nesting is measured across arrays and objects, not inside strings", "[json]") {
  CHECK_FALSE(nestingExceeds("[[[]]]", 3));
  CHECK(nestingExceeds("[[[[]]]]", 3));
  CHECK(nestingExceeds(R"({"a":{"b":[{"c":1}]}})", 3));
  CHECK_FALSE(nestingExceeds(R"({"a":"[[[[[[[[[[","b":"\"[[[["})", 1));
  CHECK_FALSE(nestingExceeds(R"([1],[2],[3],[4])", 1));  // siblings are not depth
}

TEST_CASE("json: parseBounded refuses deep documents before building them", "[json]") {
  std::string deep(200000, '[');
  deep += std::string(200000, ']');
  CHECK_THROWS_AS(parseBounded(deep), sb::sdk::json::TooDeep);
  CHECK(parseBounded("{\"a\":[1,2,{\"b\":null}]}").at("a").size() == 3);
  CHECK_THROWS_AS(parseBounded("{\"a\":1e99999}"), nlohmann::json::exception);
  CHECK_THROWS_AS(parseBounded("\"\xff\""), nlohmann::json::exception);
}

TEST_CASE("json: dump never throws on invalid UTF-8", "[json]") {
  const nlohmann::json value = {{"agent", std::string("Jos\xe9")}};
  CHECK_THROWS(value.dump());
  CHECK(sb::sdk::json::dump(value) == "{\"agent\":\"Jos\xEF\xBF\xBD\"}");
}

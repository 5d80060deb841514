// core's JSON Schema validator: the host checks plugins' events with it, and
// the provider fakes check every request against an OpenAPI description.
#include <switchboard/core/plugin/JsonSchema.h>

#include <catch2/catch.hpp>

#include <string>

using sb::core::validateJson;

TEST_CASE("json schema: a schema inside a larger document resolves its $refs against it", "[schema][no-db]") {
  const auto description = nlohmann::json::parse(R"({
    "components": {"schemas": {
      "Dial": {"type": "object", "required": ["to"],
               "properties": {"to": {"$ref": "#/components/schemas/Phone"}}},
      "Phone": {"type": "string", "pattern": "^\\+[1-9][0-9]{6,14}$"}}}})");
  const nlohmann::json& schema = description["components"]["schemas"]["Dial"];
  CHECK(validateJson(schema, {{"to", "+12125550100"}}, description).empty());
  const auto wrong = validateJson(schema, {{"to", "12"}}, description);
  REQUIRE(wrong.size() == 1);
  CHECK(wrong.front().rfind("/to: '12' does not match", 0) == 0);
  const auto missing = validateJson(schema, nlohmann::json::object(), description);
  REQUIRE(missing.size() == 1);
  CHECK(missing.front() == ": missing required property 'to'");
  // On its own the schema has nothing for its $ref to name.
  CHECK_THROWS(validateJson(schema, {{"to", "+12125550100"}}));
}

TEST_CASE("json schema: patterns stay right past the compiled-pattern cache's bound", "[schema][no-db]") {
  // 300 patterns against a cache of 256: each is compiled once, the cache
  // starts over once, and every check still uses its own pattern.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 300; ++i) {
      const nlohmann::json schema = {{"type", "string"}, {"pattern", "^x" + std::to_string(i) + "$"}};
      INFO("round " << round << ", pattern " << i);
      CHECK(validateJson(schema, "x" + std::to_string(i)).empty());
      CHECK(validateJson(schema, "x" + std::to_string(i + 1)).size() == 1);
    }
  }
}

#include <switchboard/core/contacts/FirstRowByNumber.h>

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>

using sb::core::FirstRowByNumber;

TEST_CASE("the first row of each number is remembered and later rows are its duplicates", "[contacts]") {
  FirstRowByNumber firstRows;
  CHECK_FALSE(firstRows.firstOrRemember("+12125550101", 2));
  CHECK_FALSE(firstRows.firstOrRemember("+12125550102", 3));
  CHECK(firstRows.firstOrRemember("+12125550101", 9) == 2);
  CHECK(firstRows.firstOrRemember("+12125550101", 12) == 2);
  CHECK(firstRows.size() == 2);
}

TEST_CASE("numbers that differ only in leading zeros or length stay apart", "[contacts]") {
  FirstRowByNumber firstRows;
  CHECK_FALSE(firstRows.firstOrRemember("+1", 1));
  CHECK_FALSE(firstRows.firstOrRemember("+01", 2));
  CHECK_FALSE(firstRows.firstOrRemember("+001", 3));
  CHECK_FALSE(firstRows.firstOrRemember("+10", 4));
  CHECK(firstRows.firstOrRemember("+01", 5) == 2);
  CHECK(firstRows.size() == 4);
}

TEST_CASE("text that is not a packable number is still deduplicated", "[contacts]") {
  FirstRowByNumber firstRows;
  const std::string longest = "+12345678901234567";   // 17 digits: packed
  const std::string tooLong = "+123456789012345678";  // 18: the slow map
  CHECK_FALSE(firstRows.firstOrRemember(longest, 1));
  CHECK_FALSE(firstRows.firstOrRemember(tooLong, 2));
  CHECK_FALSE(firstRows.firstOrRemember("12125550101", 3));  // no '+'
  CHECK_FALSE(firstRows.firstOrRemember("+1212x", 4));
  CHECK(firstRows.firstOrRemember(longest, 5) == 1);
  CHECK(firstRows.firstOrRemember(tooLong, 6) == 2);
  CHECK(firstRows.firstOrRemember("12125550101", 7) == 3);
  CHECK(firstRows.firstOrRemember("+1212x", 8) == 4);
  CHECK(firstRows.firstOrRemember("+12125550101", 9) == std::nullopt);  // differs from the unprefixed one
}

TEST_CASE("across growth, the table agrees with a reference map on 300,000 random numbers", "[contacts]") {
  FirstRowByNumber firstRows;
  std::map<std::string, int64_t> reference;
  std::mt19937_64 random(7);
  // About one in four numbers repeats: a 400,000-number space, 300,000 draws.
  std::uniform_int_distribution<uint64_t> suffix(0, 399999);
  for (int64_t row = 1; row <= 300000; ++row) {
    const std::string number = "+4420" + std::to_string(70000000 + suffix(random));
    const auto [it, isNew] = reference.try_emplace(number, row);
    const auto first = firstRows.firstOrRemember(number, row);
    if (isNew) {
      REQUIRE_FALSE(first);
    } else {
      REQUIRE(first == it->second);
    }
  }
  CHECK(firstRows.size() == reference.size());
}

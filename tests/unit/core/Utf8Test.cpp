#include <switchboard/core/text/Utf8.h>

#include <catch2/catch.hpp>

#include <vector>

using sb::core::isValidUtf8;
using sb::core::sanitizeUtf8;
using sb::core::truncateUtf8;

TEST_CASE("utf-8: validity", "[text]") {
  CHECK(isValidUtf8("plain, é, 日本, 😀"));
  CHECK_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(isValidUtf8("\xE6\x97"));          // truncated
  CHECK_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  CHECK_FALSE(isValidUtf8("Jos\xe9"));           // Latin-1
}

TEST_CASE("utf-8: a cut never splits a character, whatever its length and offset", "[text]") {
  for (const std::string& character : std::vector<std::string>{"é", "日", "😀"}) {
    for (size_t lead = 0; lead < 8; ++lead) {
      const std::string text = std::string(lead, 'a') + character + "z";
      for (size_t limit = 0; limit <= text.size(); ++limit) {
        const std::string cut = truncateUtf8(text, limit);
        CHECK(cut.size() <= limit);
        CHECK(isValidUtf8(cut));
        CHECK(text.compare(0, cut.size(), cut) == 0);
        // Nothing is lost but the part of the character that did not fit.
        CHECK(limit - cut.size() < character.size());
      }
    }
  }
  CHECK(truncateUtf8("abc", 10) == "abc");
}

TEST_CASE("utf-8: invalid bytes become U+FFFD, valid text is unchanged", "[text]") {
  CHECK(sanitizeUtf8("Jos\xe9") == "Jos\xEF\xBF\xBD");
  CHECK(sanitizeUtf8("日本") == "日本");
  CHECK(isValidUtf8(sanitizeUtf8("\xff\xfe\xc0\xae\xe6\x97")));
}

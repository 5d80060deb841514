#include <switchboard/sdk/encoding.hpp>

#include <catch2/catch.hpp>

using namespace sb::sdk::encoding;

TEST_CASE("base64 matches RFC 4648 vectors in both alphabets", "[encoding]") {
  CHECK(base64Encode("") == "");
  CHECK(base64Encode("f") == "Zg==");
  CHECK(base64Encode("fo") == "Zm8=");
  CHECK(base64Encode("foobar") == "Zm9vYmFy");
  CHECK(base64UrlEncode("\xfb\xff") == "-_8");
  CHECK(base64Decode("Zm9vYg==") == std::optional<std::string>("foob"));
  CHECK(base64Decode("-_8") == std::optional<std::string>("\xfb\xff"));
  CHECK_FALSE(base64Decode("Zm9v!"));
  CHECK_FALSE(base64Decode("Z"));
}

TEST_CASE("form encoding round-trips and parses like providers send it", "[encoding]") {
  CHECK(formEncode("a b&c=+1") == "a+b%26c%3D%2B1");
  CHECK(formEncode(FormFields{{"To", "+15551234567"}, {"Url", "https://x/y?z=1"}}) ==
        "To=%2B15551234567&Url=https%3A%2F%2Fx%2Fy%3Fz%3D1");
  const auto fields = parseForm("CallSid=CA1&From=%2B1555&Empty=&Flag&Sp=a+b&Bad=%zz");
  REQUIRE(fields.size() == 6);
  CHECK(fields[1] == std::pair<std::string, std::string>{"From", "+1555"});
  CHECK(fields[2].second.empty());
  CHECK(fields[3].first == "Flag");
  CHECK(fields[4].second == "a b");
  CHECK(fields[5].second == "%zz");
  CHECK(toHex("\x01\xab") == "01ab");
}

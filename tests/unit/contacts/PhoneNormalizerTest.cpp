#include <switchboard/core/contacts/PhoneNormalizer.h>

#include <catch2/catch.hpp>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <random>

using sb::core::PhoneNormalizer;
using sb::core::PhoneProblem;

namespace {

std::string e164(const PhoneNormalizer& phones, const std::string& raw) {
  const auto result = phones.normalize(raw);
  return result ? result->e164 : "invalid";
}

std::string problemOf(const PhoneNormalizer& phones, const std::string& raw) {
  PhoneProblem problem;
  CHECK_FALSE(phones.normalize(raw, &problem));
  return problem.reason;
}

}  // namespace

TEST_CASE("phones: the shapes people type become E.164", "[phone]") {
  const PhoneNormalizer us("US");
  // Excel's text wrapper, and a formula holding a number, read as written.
  CHECK(e164(us, "=\"201-555-0213\"") == "+12015550213");
  CHECK(e164(us, "=\"+44 20 7946 0958\"") == "+442079460958");
  CHECK(e164(us, "=+12125550112") == "+12125550112");
  CHECK(e164(us, "(212) 555-0100") == "+12125550100");
  CHECK(e164(us, "212.555.0100") == "+12125550100");
  CHECK(e164(us, "1-212-555-0100") == "+12125550100");
  CHECK(e164(us, "+1 212 555 0100") == "+12125550100");
  CHECK(e164(us, " 212-555-0100 ") == "+12125550100");
  CHECK(e164(us, "'+1 212 555 0100") == "+12125550100");
  CHECK(e164(us, "1.2125550100E+10") == "+12125550100");
  CHECK(e164(us, "+44 20 7946 0958") == "+442079460958");
  CHECK(e164(us, "011 44 20 7946 0958") == "+442079460958");
  const PhoneNormalizer gb("GB");
  CHECK(e164(gb, "020 7946 0958") == "+442079460958");
  CHECK(e164(gb, "+1 (212) 555-0100") == "+12125550100");
}

TEST_CASE("phones: extensions are kept apart - line type and verification are reported", "[phone]") {
  const PhoneNormalizer us("US");
  const auto withExtension = us.normalize("(212) 555-0100 ext. 42");
  REQUIRE(withExtension);
  CHECK(withExtension->e164 == "+12125550100");
  CHECK(withExtension->extension == "42");
  const auto unassigned = us.normalize("+15551234567");  // area code 555 is possible but not valid
  REQUIRE(unassigned);
  CHECK_FALSE(unassigned->verified);
  CHECK(unassigned->lineType == "unknown");
  const auto uk = us.normalize("+44 7911 123456");
  REQUIRE(uk);
  CHECK(uk->verified);
  CHECK(uk->lineType == "mobile");
}

TEST_CASE("phones: each kind of bad value says what is wrong", "[phone]") {
  const PhoneNormalizer us("US");
  CHECK(problemOf(us, "") == "phone is empty");
  CHECK(problemOf(us, "=HYPERLINK(\"tel:1\")") == "phone is not a phone number");
  CHECK_THAT(problemOf(us, "2.12556E+09"), Catch::Matchers::Contains("scientific notation"));
  CHECK_THAT(problemOf(us, "555-0100"), Catch::Matchers::Contains("too few digits"));
  CHECK_THAT(problemOf(us, "12"), Catch::Matchers::Contains("too short"));
  CHECK_THAT(problemOf(us, "+999 1234 5678"), Catch::Matchers::Contains("country code"));
  CHECK_THAT(problemOf(us, "call me"), Catch::Matchers::Contains("not a phone number"));
  CHECK_THROWS_AS(PhoneNormalizer("XX"), std::invalid_argument);
}

TEST_CASE("phones: inputs the fuzzer found", "[phone]") {
  const PhoneNormalizer us("US");
  // libphonenumber parses up to 17 national digits; E.164 allows 15.
  CHECK_THAT(problemOf(us, "'+814----------------1 155784541455"), Catch::Matchers::Contains("too long"));
  // "/x" starts a second number for libphonenumber, not an extension.
  const auto slash = us.normalize("1314679/)1994/x5");
  REQUIRE(slash);
  CHECK(slash->extension.empty());
  CHECK(slash->e164 == us.normalizeSlow("1314679/)1994/x5", nullptr)->e164);
}

TEST_CASE("phones: the NANP fast path answers exactly as libphonenumber", "[phone]") {
  // The fast path and its thousands-block cache must never change a result:
  // compare with libphonenumber alone over many numbers in every shape.
  const PhoneNormalizer us("US");
  std::mt19937 rng(1234);
  int compared = 0;
  for (int i = 0; i < 3000; ++i) {
    const int npa = std::uniform_int_distribution<int>(100, 999)(rng);
    const int nxx = std::uniform_int_distribution<int>(0, 999)(rng);
    const int line = std::uniform_int_distribution<int>(0, 9999)(rng);
    char text[64];
    switch (i % 7) {
      case 0: std::snprintf(text, sizeof text, "(%03d) %03d-%04d", npa, nxx, line); break;
      case 1: std::snprintf(text, sizeof text, "%03d-%03d-%04d", npa, nxx, line); break;
      case 2: std::snprintf(text, sizeof text, "+1 %03d %03d %04d", npa, nxx, line); break;
      case 3: std::snprintf(text, sizeof text, "1-%03d-%03d-%04d", npa, nxx, line); break;
      case 4: std::snprintf(text, sizeof text, "%03d.%03d.%04d", npa, nxx, line); break;
      case 5: std::snprintf(text, sizeof text, "+1%03d%03d%04d", npa, nxx, line); break;
      default: std::snprintf(text, sizeof text, "%03d %03d %04d x%d", npa, nxx, line, line % 97);
    }
    const auto fast = us.normalize(text);
    const auto slow = us.normalizeSlow(text, nullptr);
    INFO(text);
    REQUIRE(fast.has_value() == slow.has_value());
    if (fast) {
      CHECK(fast->e164 == slow->e164);
      CHECK(fast->extension == slow->extension);
      CHECK(fast->verified == slow->verified);
      CHECK(fast->lineType == slow->lineType);
      ++compared;
    }
  }
  CHECK(compared > 2000);
}

TEST_CASE("phones: libphonenumber's number type is UNKNOWN exactly when the number is not valid", "[phone]") {
  // The normalizer derives "verified" from one GetNumberType call instead of
  // IsValidNumber + GetNumberType; hold libphonenumber to that equivalence.
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::mt19937_64 rng(99);
  const int countryCodes[] = {1, 1, 1, 44, 49, 33, 81, 61, 91, 55, 52, 39};
  for (int i = 0; i < 4000; ++i) {
    PhoneNumber number;
    number.set_country_code(countryCodes[i % 12]);
    number.set_national_number(1000000000ULL + rng() % 9000000000ULL);
    INFO(number.country_code() << " " << number.national_number());
    CHECK(util.IsValidNumber(number) == (util.GetNumberType(number) != PhoneNumberUtil::UNKNOWN));
  }
}

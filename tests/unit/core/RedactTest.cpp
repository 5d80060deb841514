#include <switchboard/core/log/Redact.h>

#include <catch2/catch.hpp>

TEST_CASE("phone numbers are masked in log text, short numbers are kept", "[log]") {
  CHECK(sb::core::maskPhoneNumbers("to=+15551234567&x=1") == "to=+*********67&x=1");
  CHECK(sb::core::maskPhoneNumbers("/api/v1/calls/42?page=3") == "/api/v1/calls/42?page=3");
  CHECK(sb::core::maskPhoneNumbers("%2B447911123456") == "%2B**********56");
}

TEST_CASE("numbers written with separators or URL-encoded are masked too - dates are kept", "[log]") {
  using sb::core::maskPhoneNumbers;
  CHECK(maskPhoneNumbers("?q=212-555-0100") == "?q=***-***-**00");
  CHECK(maskPhoneNumbers("(212)555.0100") == "(***)***.**00");
  CHECK(maskPhoneNumbers("%2B1%20212%20555%200100") == "%2B*%20***%20***%20**00");
  CHECK(maskPhoneNumbers("DELETE /api/v1/dnc/%2B1%20212-555-0100") == "DELETE /api/v1/dnc/%2B*%20***-***-**00");
  CHECK(maskPhoneNumbers("+44 20 7946 0958") == "+** ** **** **58");
  CHECK(maskPhoneNumbers("?from=2026-12-01&to=2026-12-02") == "?from=2026-12-01&to=2026-12-02");
  CHECK(maskPhoneNumbers("/api/v1/calls/42?page=3&per_page=50") == "/api/v1/calls/42?page=3&per_page=50");
}

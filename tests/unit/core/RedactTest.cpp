#include <switchboard/core/log/Redact.h>

#include <catch2/catch.hpp>

TEST_CASE("phone numbers are masked in log text, short numbers are kept", "[log]") {
  CHECK(sb::core::maskPhoneNumbers("to=+15551234567&x=1") == "to=+*********67&x=1");
  CHECK(sb::core::maskPhoneNumbers("/api/v1/calls/42?page=3") == "/api/v1/calls/42?page=3");
  CHECK(sb::core::maskPhoneNumbers("%2B447911123456") == "%2B**********56");
}

// The Voice SDK Access Token: the reference's golden token, and decoded
// header, claims, expiry and HMAC.
#include "AccessToken.h"
#include "support/HostCrypto.h"

#include <switchboard/sdk/encoding.hpp>

#include <catch2/catch.hpp>

namespace {

sb::twilio::AccessTokenSpec goldenSpec() {
  sb::twilio::AccessTokenSpec spec;
  spec.accountSid = "AC1234567890abcdef1234567890abcdef";
  spec.apiKeySid = "SK1234567890abcdef1234567890abcdef";
  spec.apiKeySecret = "secret";
  spec.identity = "agent-42";
  spec.applicationSid = "AP1234567890abcdef1234567890abcdef";
  spec.incomingAllow = true;
  spec.outgoingParams = {{"campaign", "c1"}};
  spec.issuedAt = 1700000000;
  spec.ttlS = 3600;
  return spec;
}

std::vector<std::string> segments(const std::string& token) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t dot = token.find('.'); dot != std::string::npos; dot = token.find('.', start)) {
    out.push_back(token.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(token.substr(start));
  return out;
}

nlohmann::json decode(const std::string& segment) {
  std::string padded = segment;
  for (auto& c : padded) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (padded.size() % 4 != 0) padded += '=';
  const auto bytes = sb::sdk::encoding::base64Decode(padded);
  REQUIRE(bytes.has_value());
  return nlohmann::json::parse(*bytes);
}

}  // namespace

TEST_CASE("twilio access token: matches the reference's golden token byte for byte", "[twilio]") {
  sb::test::HostCrypto c{"twilio-test"};
  CHECK(sb::twilio::buildAccessToken(c.crypto, goldenSpec()) ==
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImN0eSI6InR3aWxpby1mcGE7dj0xIn0."
        "eyJqdGkiOiJTSzEyMzQ1Njc4OTBhYmNkZWYxMjM0NTY3ODkwYWJjZGVmLTE3MDAwMDAwMDAiLCJpc3MiOiJTSzEyMzQ1Njc4OTBhYmNkZWYx"
        "MjM0NTY3ODkwYWJjZGVmIiwic3ViIjoiQUMxMjM0NTY3ODkwYWJjZGVmMTIzNDU2Nzg5MGFiY2RlZiIsImlhdCI6MTcwMDAwMDAwMCwibmJm"
        "IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDM2MDAsImdyYW50cyI6eyJpZGVudGl0eSI6ImFnZW50LTQyIiwidm9pY2UiOnsiaW5jb21pbmci"
        "OnsiYWxsb3ciOnRydWV9LCJvdXRnb2luZyI6eyJhcHBsaWNhdGlvbl9zaWQiOiJBUDEyMzQ1Njc4OTBhYmNkZWYxMjM0NTY3ODkwYWJjZGVm"
        "IiwicGFyYW1zIjp7ImNhbXBhaWduIjoiYzEifX19fX0.73snKko2_oCw3Ijk5eFWzMVw4nnv_Qj9hbHsBfqyzeA");
}

TEST_CASE("twilio access token: header, claims, expiry and HMAC as Twilio reads them", "[twilio]") {
  sb::test::HostCrypto c{"twilio-test"};
  auto spec = goldenSpec();
  spec.incomingAllow = false;  // the product's choice: the browser places calls, it takes none
  spec.outgoingParams = nullptr;
  spec.ttlS = 600;
  const std::string token = sb::twilio::buildAccessToken(c.crypto, spec);
  const auto parts = segments(token);
  REQUIRE(parts.size() == 3);
  const auto header = decode(parts[0]);
  CHECK(header == nlohmann::json{{"alg", "HS256"}, {"typ", "JWT"}, {"cty", "twilio-fpa;v=1"}});
  const auto claims = decode(parts[1]);
  CHECK(claims["iss"] == spec.apiKeySid);
  CHECK(claims["sub"] == spec.accountSid);
  CHECK(claims["jti"] == spec.apiKeySid + "-1700000000");
  CHECK(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>() == 600);
  CHECK(claims["grants"]["identity"] == "agent-42");
  CHECK(claims["grants"]["voice"] ==
        nlohmann::json{{"outgoing", {{"application_sid", "AP1234567890abcdef1234567890abcdef"}}}});
  // The signature is HMAC-SHA256 of header.payload with the API key secret.
  const std::string mac = c.crypto.hmac("sha256", "secret", parts[0] + "." + parts[1]);
  CHECK(parts[2] == sb::sdk::encoding::base64UrlEncode(mac));
  CHECK(parts[2] != sb::sdk::encoding::base64UrlEncode(c.crypto.hmac("sha256", "other", parts[0] + "." + parts[1])));
}

TEST_CASE("twilio access token: the official SDK's token verifies with our HMAC", "[twilio]") {
  sb::test::HostCrypto c{"twilio-test"};
  // Token A of the reference, minted by twilio@5.13.1 (node).
  const std::string token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImN0eSI6InR3aWxpby1mcGE7dj0xIn0."
      "eyJqdGkiOiJTSzEyMzQ1Njc4OTBhYmNkZWYxMjM0NTY3ODkwYWJjZGVmLTE3MDAwMDAwMDAiLCJncmFudHMiOnsiaWRlbnRpdHkiOiJhZ2Vu"
      "dC00MiIsInZvaWNlIjp7ImluY29taW5nIjp7ImFsbG93Ijp0cnVlfSwib3V0Z29pbmciOnsiYXBwbGljYXRpb25fc2lkIjoiQVAxMjM0NTY3"
      "ODkwYWJjZGVmMTIzNDU2Nzg5MGFiY2RlZiJ9fX0sImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwLCJpc3MiOiJTSzEyMzQ1Njc4"
      "OTBhYmNkZWYxMjM0NTY3ODkwYWJjZGVmIiwic3ViIjoiQUMxMjM0NTY3ODkwYWJjZGVmMTIzNDU2Nzg5MGFiY2RlZiJ9."
      "5bEaSHK3RfQ6KPFkLpSpBptca6MdRFGJofZ4LCZtXtg";
  const auto parts = segments(token);
  REQUIRE(parts.size() == 3);
  CHECK(parts[2] == sb::sdk::encoding::base64UrlEncode(c.crypto.hmac("sha256", "secret", parts[0] + "." + parts[1])));
  const auto claims = decode(parts[1]);
  // Our token for the same inputs carries the same grants and times.
  auto spec = goldenSpec();
  spec.outgoingParams = nullptr;
  const auto ours = decode(segments(sb::twilio::buildAccessToken(c.crypto, spec))[1]);
  CHECK(ours["grants"] == claims["grants"]);
  CHECK(ours["iat"] == claims["iat"]);
  CHECK(ours["exp"] == claims["exp"]);
  CHECK(ours["jti"] == claims["jti"]);
}

TEST_CASE("twilio access token: refuses what Twilio would refuse", "[twilio]") {
  sb::test::HostCrypto c{"twilio-test"};
  auto spec = goldenSpec();
  spec.ttlS = 86401;
  CHECK_THROWS_WITH(sb::twilio::buildAccessToken(c.crypto, spec), Catch::Contains("1-86400"));
  spec = goldenSpec();
  spec.applicationSid.clear();
  CHECK_THROWS_AS(sb::twilio::buildAccessToken(c.crypto, spec), std::invalid_argument);
}

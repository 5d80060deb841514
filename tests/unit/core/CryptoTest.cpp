#include "support/Bytes.h"

#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/sdk/encoding.hpp>

#include <catch2/catch.hpp>

// Qualified, not `using namespace`: the suite is a unity build, and EncodingTest
// calls the SDK's toHex in the same translation unit.
namespace crypto = sb::core::crypto;

using sb::test::fromHex;

TEST_CASE("HMAC matches RFC 4231 and RFC 2202 vectors", "[crypto]") {
  // RFC 4231 test case 2.
  CHECK(crypto::toHex(crypto::hmac("sha256", "Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 2202 test case 2.
  CHECK(crypto::toHex(crypto::hmac("sha1", "Jefe", "what do ya want for nothing?")) ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  CHECK_THROWS_AS(crypto::hmac("md5", "k", "d"), std::invalid_argument);
}

TEST_CASE("digests match FIPS 180 vectors", "[crypto]") {
  CHECK(crypto::toHex(crypto::digest("sha256", "abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(crypto::toHex(crypto::digest("sha1", "abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_CASE("Ed25519 verifies RFC 8032 test 2 and rejects a changed message", "[crypto]") {
  const std::string publicKey = fromHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  const std::string message = fromHex("72");
  const std::string signature = fromHex(
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aee"
      "b0"
      "0d291612bb0c00");
  CHECK(crypto::ed25519Verify(publicKey, message, signature));
  CHECK_FALSE(crypto::ed25519Verify(publicKey, fromHex("73"), signature));
  CHECK_THROWS_AS(crypto::ed25519Verify("short", message, signature), std::invalid_argument);
}

TEST_CASE("Ed25519 signs RFC 8032 test 2 byte for byte", "[crypto]") {
  const std::string seed = fromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  CHECK(crypto::toHex(crypto::ed25519PublicKey(seed)) ==
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  CHECK(crypto::toHex(crypto::ed25519Sign(seed, fromHex("72"))) ==
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302a"
        "eeb00d291612bb0c00");
  CHECK_THROWS_AS(crypto::ed25519Sign("short", "m"), std::invalid_argument);
}

TEST_CASE("random bytes differ and constant-time compare works", "[crypto]") {
  CHECK(crypto::randomBytes(32).size() == 32);
  CHECK(crypto::randomBytes(16) != crypto::randomBytes(16));
  CHECK(crypto::constantTimeEquals("abc", "abc"));
  CHECK_FALSE(crypto::constantTimeEquals("abc", "abd"));
  CHECK_FALSE(crypto::constantTimeEquals("abc", "ab"));
}

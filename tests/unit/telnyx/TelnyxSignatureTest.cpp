// Telnyx webhook signatures: the reference's vectors (the design reference
// telnyx.md section 5.2, cross-checked there with three Ed25519
// implementations), the RFC 8032 sanity vectors, the 300 s window both ways,
// and forged, altered and malformed deliveries.
#include "TelnyxSignature.h"
#include "support/Bytes.h"
#include "support/HostCrypto.h"

#include <switchboard/sdk/encoding.hpp>

#include <catch2/catch.hpp>

using sb::telnyx::verifyWebhook;

namespace {

// Copied byte for byte; the test checks their SHA-256 against the reference.
const std::string kB1 =
    R"B({"data":{"event_type":"call.initiated","id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0","occurred_at":"2018-02-02T22:25:27.521992Z","payload":{"call_control_id":"v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg","call_leg_id":"428c31b6-7af4-4bcb-b7f5-5013ef9657c1","call_session_id":"428c31b6-abf3-3bc1-b7f4-5013ef9657c1","client_state":"aGF2ZSBhIG5pY2UgZGF5ID1d","connection_id":"7267xxxxxxxxxxxxxx","direction":"outgoing","from":"+35319605860","state":"bridging","to":"+13129457420"},"record_type":"event"},"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks"}})B";
const std::string kB2 = R"B({
  "data": {
    "event_type": "call.hangup",
    "id": "6513c729-f759-47ad-b345-606732b23608",
    "occurred_at": "2018-02-02T22:26:27.521992Z",
    "payload": {
      "call_control_id": "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
      "call_leg_id": "428c31b6-7af4-4bcb-b7f5-5013ef9657c1",
      "call_session_id": "428c31b6-abf3-3bc1-b7f4-5013ef9657c1",
      "client_state": null,
      "connection_id": "7267xxxxxxxxxxxxxx",
      "from": "+35319605860",
      "hangup_cause": "normal_clearing",
      "hangup_source": "callee",
      "sip_hangup_cause": "200",
      "start_time": "2018-02-02T22:25:27.521992Z",
      "state": "hangup",
      "to": "+13129457420"
    },
    "record_type": "event"
  },
  "meta": {
    "attempt": 2,
    "delivered_to": "https://example.com/webhooks"
  }
}
)B";

const std::string kKeyA = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
const std::string kKeyB = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
const std::string kV1 = "li3DRDXtrnfgICgbPhmS0a3KUjbjrml6GOv0IFA9+IeiZ5JdU0fXF2XLkqkaZNOhsERgeknNHusG+g9RpA0WBw==";
const std::string kV2 = "Z/358AlZ15AOWiRe3/6HJ+OsXDqkEqKeRfbXICcYZSWfwSGbzHqnadYxUEbXlqE/JnJjbR066l4l0xY6c/dKBA==";
const std::string kV4 = "l+uB9ITjlM0Lemq2D0YasRnN56bVAra8QTmnzPTxIydWsFH8CWxyGU2D5JZN99I8XhTnV0hhDKCyg0xyTijcDw==";
constexpr int64_t kNow = 1700000000;

struct TelnyxVerifier : sb::test::HostCrypto {
  TelnyxVerifier() : HostCrypto("telnyx-test") {}

  std::string key(const std::string& base64) { return sb::telnyx::decodePublicKey(base64).value(); }
  bool valid(const std::string& publicKey, const std::string& timestamp, const std::string& signature,
             const std::string& body, int64_t now = kNow) {
    const auto verdict = verifyWebhook(crypto, key(publicKey), timestamp, signature, body, now);
    if (!verdict.valid) UNSCOPED_INFO(verdict.reason);
    return verdict.valid;
  }
};

}  // namespace

TEST_CASE("telnyx signature: the bodies are the reference's bytes", "[telnyx]") {
  TelnyxVerifier c;
  CHECK(kB1.size() == 580);
  CHECK(sb::sdk::encoding::toHex(c.crypto.digest("sha256", kB1)) ==
        "3097d7d32def0a908f3f284ef5d098876351526f00feb824368e9c0babb51f03");
  CHECK(kB2.size() == 815);
  CHECK(sb::sdk::encoding::toHex(c.crypto.digest("sha256", kB2)) ==
        "7fefef69c03d84c606aff662602f2d646c35db32216274385cf0d16c3a3fece6");
}

TEST_CASE("telnyx signature: RFC 8032 test vectors through the host's Ed25519", "[telnyx]") {
  TelnyxVerifier c;
  CHECK(c.crypto.ed25519Verify(
      sb::test::fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"), "",
      sb::test::fromHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e"
                        "39701cf9b46bd25bf5f0595bbe24655141438e7a100b")));
  CHECK(c.crypto.ed25519Verify(
      sb::test::fromHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"), sb::test::fromHex("72"),
      sb::test::fromHex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f"
                        "3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")));
  CHECK_FALSE(c.crypto.ed25519Verify(
      sb::test::fromHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"), sb::test::fromHex("73"),
      sb::test::fromHex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e1599"
                        "6e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")));
}

TEST_CASE("telnyx signature: the valid vectors V1, V2, V4", "[telnyx]") {
  TelnyxVerifier c;
  CHECK(c.valid(kKeyA, "1700000000", kV1, kB1));
  CHECK(c.valid(kKeyA, "1700000000", kV2, kB2));
  CHECK(c.valid(kKeyB, "1700000000", kV4, kB1));
}

TEST_CASE("telnyx signature: the invalid vectors N1-N6 are refused", "[telnyx]") {
  TelnyxVerifier c;
  std::string b1t = kB1;
  b1t.replace(b1t.find("\"attempt\":1"), 11, "\"attempt\":2");
  CHECK_FALSE(c.valid(kKeyB, "1700000000", kV1, kB1));  // N1 wrong key
  CHECK_FALSE(c.valid(kKeyA, "1700000001", kV1, kB1));  // N2 the timestamp is signed
  CHECK_FALSE(c.valid(kKeyA, "1700000000", kV1, b1t));  // N3 body tampered
  CHECK_FALSE(c.valid(kKeyA, "1700000000",
                      "ly3DRDXtrnfgICgbPhmS0a3KUjbjrml6GOv0IFA9+IeiZ5JdU0fXF2XLkqkaZNOhsERgeknNHusG+g9RpA0WBw==",
                      kB1));  // N5 a flipped bit
  CHECK_FALSE(c.valid(kKeyA, "1700000000",
                      "li3DRDXtrnfgICgbPhmS0a3KUjbjrml6GOv0IFA9+IeiZ5JdU0fXF2XLkqkaZNOhsERgeknNHusG+g9RpA0W",
                      kB1));  // N6 63 bytes
  // Re-serialized JSON is not the body that was signed.
  CHECK_FALSE(c.valid(kKeyA, "1700000000", kV2, nlohmann::json::parse(kB2).dump()));
}

TEST_CASE("telnyx signature: the 300 s window, both ways, and malformed headers", "[telnyx]") {
  TelnyxVerifier c;
  CHECK(c.valid(kKeyA, "1700000000", kV1, kB1, 1700000000));
  CHECK(c.valid(kKeyA, "1700000000", kV1, kB1, 1700000300));
  CHECK_FALSE(c.valid(kKeyA, "1700000000", kV1, kB1, 1700000301));  // too old: a replay
  CHECK(c.valid(kKeyA, "1700000000", kV1, kB1, 1699999700));
  CHECK_FALSE(c.valid(kKeyA, "1700000000", kV1, kB1, 1699999699));  // too far in the future
  CHECK_FALSE(c.valid(kKeyA, "", kV1, kB1));
  CHECK_FALSE(c.valid(kKeyA, "1700000000", "", kB1));
  CHECK_FALSE(c.valid(kKeyA, "17000000x0", kV1, kB1));
  CHECK_FALSE(c.valid(kKeyA, "1700000000", "not base64 at all!", kB1));
  CHECK_FALSE(sb::telnyx::decodePublicKey("c2hvcnQ=").has_value());  // not 32 bytes
}

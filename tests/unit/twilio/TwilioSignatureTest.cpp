// X-Twilio-Signature: every golden vector of the design reference twilio.md
// section 4.2 (from the official SDKs' tests), the SDKs' acceptance cases,
// and forged, altered and re-aimed requests.
#include "TwilioSignature.h"
#include "support/HostCrypto.h"

#include <catch2/catch.hpp>

using sb::sdk::encoding::FormFields;
using sb::twilio::computeSignature;
using sb::twilio::verifySignature;

namespace {

const std::string kToken = "12345";
const std::string kBase = "https://mycompany.com/myapp.php?foo=1&bar=2";
const FormFields kParams = {{"CallSid", "CA1234567890ABCDE"},
                            {"Caller", "+14158675309"},
                            {"Digits", "1234"},
                            {"From", "+14158675309"},
                            {"To", "+18005551212"}};

FormFields with(FormFields base, const FormFields& extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}

std::string form(const FormFields& fields) {
  return sb::sdk::encoding::formEncode(fields);
}

}  // namespace

TEST_CASE("twilio signature: the official golden vectors", "[twilio]") {
  sb::test::HostCrypto c{"twilio-test"};
  struct Vector {
    int number;
    std::string url;
    FormFields params;
    std::string expected;
  };
  const std::string json = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  const std::vector<Vector> vectors = {
      {1, kBase, kParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
      {2, "https://mycompany.com:443/myapp.php?foo=1&bar=2", kParams, "kvajT1Ptam85bY51eRf/AJRuM3w="},
      {3, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", kParams, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="},
      {4, "http://mycompany.com:80/myapp.php?foo=1&bar=2", kParams, "0ZXoZLH/DfblKGATFgpif+LLRf4="},
      {5,
       kBase,
       {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"}, {"Digits", "1234"}},
       "IK+Dwps556ElfBT0I3Rgjkr1wJU="},
      {6,
       kBase,
       {{"MessagingBinding.Address", "+1415xxxxxxx"}, {"MessagingBinding.Address", "+1325xxxxxxx"}},
       "83O6e2vORAoJHUNzJjDWN1jz+BA="},
      {7, kBase + "&bodySHA256=" + json, {}, "a9nBmqA0ju/hNViExpshrM61xv4="},
      {8, "https://mycompany.com/myapp.php?bodySHA256=" + json, {}, "y77kIzt2vzLz71DgmJGsen2scGs="},
      {9,
       "https://mycompany.com:443/myapp.php?foo=1&bar=2&bodySHA256="
       "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
       {},
       "Ldidvp12m26NI7eqEvxnEpkd9Hc="},
      {10, "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", kParams, "CukzLTc1tT5dXEDIHm/tKBanW10="},
      {11, "https://user:pass@mycompany.com:443/myapp.php?foo=1&bar=2", kParams, "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI="},
      {12, "https://user@mycompany.com/myapp.php?foo=1&bar=2", kParams, "2YRLlVAflCqxaNicjMpJcSTgzSs="},
      {13, "https://user@mycompany.com:443/myapp.php?foo=1&bar=2", kParams, "aZfj4hyX1MLZhSS6QIL18Vn2/RA="},
      {14, kBase + "&Body=It%27s+amazing", kParams, "TfZzewPq8wqrGlMfyAud8+/IvJ0="},
      {15, kBase, with(kParams, {{"ReasonConferenceEnded", "test"}, {"Reason", "Participant"}}),
       "vOEb5UThFn24KEfnOFLQY2AE5FY="},
      {16, "http://mycompany.com/myapp.php?foo=1&bar=2",
       with(kParams, {{"ReasonConferenceEnded", "test"}, {"Reason", "Participant"}}), "n2xBNyzSW7rfYStDtOFiFMv7qNo="},
      {17, kBase, {{"property", "value"}, {"boolean", "true"}}, "NBdBDr/T/lgjI+tlgpXjKZQZs/k="},
      {18, kBase, {}, "zYQTYrRWXE7LtzbG4PfP7/bkkGo="},
      {19, "https://mycompany.com/myapp.php", kParams, "1xaxFBvyzXYvWplzNOSs28HWO94="},
      {20, "https://mycompany.com/myapp.php?foo=1&bar=2&type=thiswontbeusedinthesignaturegeneratorandsoshouldbeignored",
       kParams, "hYkNsTBttoNGkyCS0p+wWmQoRTg="},
      {21, "https://mycompany.com/myapp.php?foo=hello%20world&bar=test%2Bvalue", kParams,
       "er2tvAP1Wx+iuTTE2BPgvEaN1cs="},
      {22,
       kBase,
       {{"Message", "Hello & goodbye! @#$%^*()"},
        {"From", "+1 (415) 867-5309"},
        {"Special", "unicode: \xc3\xb1\xc3\xa1\xc3\xa9\xc3\xad\xc3\xb3\xc3\xba"}},
       "dCPiR4WtQ6QFN6pJh81CtlCcWLQ="},
      {23,
       kBase,
       {{"Digits", ""}, {"CallSid", "CA1234567890ABCDE"}, {"EmptyParam", ""}},
       "9HHp/OqQMEwdrVebHDdA/+tqjX8="},
      {24,
       kBase,
       {{"Digits", ""}, {"CallSid", "CA1234567890ABCDE"}, {"NullParam", ""}},
       "L9lTTwIlxM1xGAtLRwhOSZggRhM="},
      {25,
       kBase,
       {{"Zebra", "last"}, {"Alpha", "first"}, {"Beta", "second"}, {"Gamma", "third"}},
       "enveUe73ZTVLAekHxez3Qx6JuuQ="},
      {26,
       "https://mycompany.com/webhook/Espa\xc3\xb1"
       "a?a\xc3\xb1o=2023",
       kParams, "G/Hx6mqqnjUNlPAoi2Sp9bGst0g="},
      {27,
       kBase,
       {{"callSid", "lowercase"}, {"CallSid", "uppercase"}, {"CALLSID", "allcaps"}},
       "jDK7WKT8wiNrwggd4ceTv4e1MJ4="},
      {28, "https://mycompany.com:443//myapp.php?foo=1&bar=2", kParams, "A9lH3u16NjyiiM/+wylw5rirFUs="},
  };
  for (const auto& v : vectors) {
    INFO("vector " << v.number);
    CHECK(computeSignature(c.crypto, kToken, v.url, v.params) == v.expected);
  }
}

TEST_CASE("twilio signature: the SDKs' acceptance cases, port rules included", "[twilio]") {
  sb::test::HostCrypto c{"twilio-test"};
  const std::string formType = "application/x-www-form-urlencoded";
  const std::string body = form(kParams);
  // As signed.
  CHECK(verifySignature(c.crypto, kToken, kBase, formType, body, "RSOYDt4T1cUTdK1PDd93/VVr8B8=").valid);
  // Twilio called :1234 behind a proxy; the portless signature still holds.
  CHECK(verifySignature(c.crypto, kToken, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", formType, body,
                        "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
            .valid);
  // Signed with :80 / :443 added.
  CHECK(verifySignature(c.crypto, kToken, "http://mycompany.com/myapp.php?foo=1&bar=2", formType, body,
                        "0ZXoZLH/DfblKGATFgpif+LLRf4=")
            .valid);
  CHECK(verifySignature(c.crypto, kToken, kBase, formType, body, "kvajT1Ptam85bY51eRf/AJRuM3w=").valid);
  // A JSON body bound by bodySHA256.
  const std::string json = "{\"property\": \"value\", \"boolean\": true}";
  const std::string jsonUrl = kBase + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  CHECK(verifySignature(c.crypto, kToken, jsonUrl, "application/json", json, "a9nBmqA0ju/hNViExpshrM61xv4=").valid);
}

TEST_CASE("twilio signature: forged, altered and re-aimed requests are refused", "[twilio]") {
  sb::test::HostCrypto c{"twilio-test"};
  const std::string formType = "application/x-www-form-urlencoded";
  const std::string body = form(kParams);
  const std::string good = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
  // An extra query parameter (the SDKs' own negative case).
  CHECK_FALSE(verifySignature(c.crypto, kToken, kBase + "&somethingUnexpected=true", formType, body, good).valid);
  // A changed parameter value.
  CHECK_FALSE(verifySignature(c.crypto, kToken, kBase, formType,
                              form(with({{"CallSid", "CA1234567890ABCDE"},
                                         {"Caller", "+14158675309"},
                                         {"Digits", "9999"},
                                         {"From", "+14158675309"},
                                         {"To", "+18005551212"}},
                                        {})),
                              good)
                  .valid);
  // Replayed to another endpoint of ours.
  CHECK_FALSE(
      verifySignature(c.crypto, kToken, "https://mycompany.com/other.php?foo=1&bar=2", formType, body, good).valid);
  // Signed with another account's token.
  CHECK_FALSE(verifySignature(c.crypto, "54321", kBase, formType, body, good).valid);
  // No signature, an empty one, a truncated one.
  CHECK_FALSE(verifySignature(c.crypto, kToken, kBase, formType, body, "").valid);
  CHECK_FALSE(verifySignature(c.crypto, kToken, kBase, formType, body, good.substr(0, 27)).valid);
  // A JSON body: missing bodySHA256, or a body changed after signing.
  const std::string json = "{\"property\": \"value\", \"boolean\": true}";
  const std::string jsonUrl = kBase + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  const auto noHash =
      verifySignature(c.crypto, kToken, kBase, "application/json", json, "a9nBmqA0ju/hNViExpshrM61xv4=");
  CHECK_FALSE(noHash.valid);
  CHECK(noHash.reason.find("bodySHA256") != std::string::npos);
  CHECK_FALSE(verifySignature(c.crypto, kToken, jsonUrl, "application/json", "{\"property\": \"other\"}",
                              "a9nBmqA0ju/hNViExpshrM61xv4=")
                  .valid);
}

#pragma once
// Byte encodings for test vectors and the fakes. Built on OpenSSL, not on the
// SDK's own encoders, so a fake never shares a bug with the code it checks.

#include <string>
#include <string_view>

namespace sb::test {

/// The bytes of a hex string ("0a1b..."); a trailing odd digit is ignored.
std::string fromHex(std::string_view hex);
/// Standard base64, padded.
std::string base64(std::string_view bytes);

}  // namespace sb::test

#include "DialSession.h"

#include <switchboard/sdk/encoding.hpp>

#include <vector>

namespace sb::twilio {
namespace {

constexpr const char* kPrefix = "s1.";
constexpr char kSeparator = '\n';  // cannot occur in ids, names or identities we accept

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at = text.find(separator); at != std::string::npos; at = text.find(separator, start)) {
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

std::string mac(const sdk::Crypto& crypto, const std::string& key, const std::string& encoded) {
  return sdk::encoding::base64UrlEncode(crypto.hmac("sha256", key, std::string(kPrefix) + encoded));
}

/// base64url without padding back to bytes.
std::optional<std::string> fromBase64Url(std::string text) {
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) {
    text.push_back('=');
  }
  return sdk::encoding::base64Decode(text);
}

}  // namespace

std::string sealSession(const sdk::Crypto& crypto, const std::string& key, const DialSession& session) {
  const std::string fields = session.callId + kSeparator + session.conferenceName + kSeparator + session.identity +
                             kSeparator + std::to_string(session.expiresAt);
  const std::string encoded = sdk::encoding::base64UrlEncode(fields);
  return kPrefix + encoded + "." + mac(crypto, key, encoded);
}

std::optional<DialSession> openSession(const sdk::Crypto& crypto, const std::string& key, const std::string& value,
                                       int64_t nowS, std::string& why) {
  const std::string prefix = kPrefix;
  const size_t dot = value.rfind('.');
  if (value.compare(0, prefix.size(), prefix) != 0 || dot == std::string::npos || dot < prefix.size()) {
    why = "the session parameter is not a Switchboard dial session";
    return std::nullopt;
  }
  const std::string encoded = value.substr(prefix.size(), dot - prefix.size());
  if (!sdk::encoding::constantTimeEquals(mac(crypto, key, encoded), value.substr(dot + 1))) {
    why = "the dial session's seal does not match (forged, altered, or sealed with another auth token)";
    return std::nullopt;
  }
  const auto fields = fromBase64Url(encoded);
  const auto parts = fields ? split(*fields, kSeparator) : std::vector<std::string>{};
  if (parts.size() != 4 || parts[0].empty() || parts[1].empty()) {
    why = "the dial session is malformed";
    return std::nullopt;
  }
  DialSession session{parts[0], parts[1], parts[2], 0};
  try {
    session.expiresAt = std::stoll(parts[3]);
  } catch (const std::exception&) {
    why = "the dial session has no expiry";
    return std::nullopt;
  }
  if (session.expiresAt < nowS) {
    why = "the dial session expired";
    return std::nullopt;
  }
  return session;
}

}  // namespace sb::twilio

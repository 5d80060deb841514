#include "TwilioSignature.h"

#include <switchboard/sdk/http.hpp>

#include <map>
#include <optional>
#include <set>

namespace sb::twilio {
namespace {

struct UrlParts {
  std::string scheme;    ///< "https"
  std::string userinfo;  ///< "user:pass@" or empty
  std::string host;
  std::string port;  ///< digits or empty
  std::string rest;  ///< path, query and fragment, from the first '/' '?' or '#'
};

bool splitUrl(std::string_view url, UrlParts& parts) {
  const auto schemeEnd = url.find("://");
  if (schemeEnd == std::string_view::npos) {
    return false;
  }
  parts.scheme = std::string(url.substr(0, schemeEnd));
  std::string_view authority = url.substr(schemeEnd + 3);
  const auto restStart = authority.find_first_of("/?#");
  parts.rest = restStart == std::string_view::npos ? std::string() : std::string(authority.substr(restStart));
  authority = authority.substr(0, restStart);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    parts.userinfo = std::string(authority.substr(0, at + 1));
    authority = authority.substr(at + 1);
  }
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    parts.host = std::string(authority.substr(0, colon));
    parts.port = std::string(authority.substr(colon + 1));
  } else {
    parts.host = std::string(authority);
  }
  return !parts.host.empty();
}

std::string joinUrl(const UrlParts& parts) {
  return parts.scheme + "://" + parts.userinfo + parts.host + (parts.port.empty() ? "" : ":" + parts.port) + parts.rest;
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && sdk::equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

/// The value of query parameter `name` of `url` (decoded), if present.
std::optional<std::string> queryParam(std::string_view url, std::string_view name) {
  const auto question = url.find('?');
  if (question == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view query = url.substr(question + 1);
  if (const auto hash = query.find('#'); hash != std::string_view::npos) {
    query = query.substr(0, hash);
  }
  for (const auto& [key, value] : sdk::encoding::parseForm(query)) {
    if (key == name) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string computeSignature(const sdk::Crypto& crypto, std::string_view authToken, std::string_view url,
                             const sdk::encoding::FormFields& params) {
  // Keys in byte order; a key's values deduplicated and sorted.
  std::map<std::string, std::set<std::string>> sorted;
  for (const auto& [key, value] : params) {
    sorted[key].insert(value);
  }
  std::string data(url);
  for (const auto& [key, values] : sorted) {
    for (const auto& value : values) {
      data += key;
      data += value;
    }
  }
  return sdk::encoding::base64Encode(crypto.hmac("sha1", authToken, data));
}

std::string urlWithoutPort(std::string_view url) {
  UrlParts parts;
  if (!splitUrl(url, parts)) {
    return {};
  }
  parts.port.clear();
  return joinUrl(parts);
}

std::string urlWithPort(std::string_view url) {
  UrlParts parts;
  if (!splitUrl(url, parts)) {
    return {};
  }
  if (parts.port.empty()) {
    parts.port = sdk::equalsIgnoreCase(parts.scheme, "https") ? "443" : "80";
  }
  return joinUrl(parts);
}

SignatureVerdict verifySignature(const sdk::Crypto& crypto, std::string_view authToken, std::string_view url,
                                 std::string_view contentType, std::string_view body, std::string_view signature) {
  if (signature.empty()) {
    return {false, "no X-Twilio-Signature header"};
  }
  sdk::encoding::FormFields params;
  if (startsWithIgnoreCase(contentType, "application/x-www-form-urlencoded")) {
    params = sdk::encoding::parseForm(body);
  } else if (!body.empty()) {
    // Any other body is bound to the signature by its hash in the URL.
    const auto hash = queryParam(url, "bodySHA256");
    if (!hash) {
      return {false, "a non-form body without bodySHA256 in the URL"};
    }
    const std::string actual = sdk::encoding::toHex(crypto.digest("sha256", body));
    if (!sdk::encoding::constantTimeEquals(actual, *hash)) {
      return {false, "the body does not match its bodySHA256"};
    }
  }
  for (const std::string& candidate : {urlWithoutPort(url), urlWithPort(url)}) {
    if (!candidate.empty() &&
        sdk::encoding::constantTimeEquals(computeSignature(crypto, authToken, candidate, params), signature)) {
      return {true, {}};
    }
  }
  return {false, "X-Twilio-Signature does not match the request (check public_base_url and the auth token)"};
}

}  // namespace sb::twilio

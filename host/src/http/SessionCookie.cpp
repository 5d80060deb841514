#include "http/SessionCookie.h"

#include <switchboard/sdk/http.hpp>

#include <string_view>

namespace sb::host {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string attributes(int64_t maxAgeS, bool secure) {
  return "; Path=/; Max-Age=" + std::to_string(maxAgeS) + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

}  // namespace

std::optional<std::string> sessionCookie(const ApiRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (!sdk::equalsIgnoreCase(name, "Cookie")) {
      continue;
    }
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t end = rest.find(';');
      const std::string_view pair = trim(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      const size_t equals = pair.find('=');
      if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == kSessionCookie) {
        return std::string(trim(pair.substr(equals + 1)));
      }
    }
  }
  return std::nullopt;
}

std::string setSessionCookie(const std::string& token, int64_t maxAgeS, bool secure) {
  return std::string(kSessionCookie) + "=" + token + attributes(maxAgeS, secure);
}

std::string clearSessionCookie(bool secure) {
  return std::string(kSessionCookie) + "=" + attributes(0, secure);
}

}  // namespace sb::host

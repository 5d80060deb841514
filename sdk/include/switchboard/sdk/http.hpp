// HTTP messages as plain C++ values, for outbound requests through the host
// and for inbound webhooks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::sdk {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) {
      return false;
    }
  }
  return true;
}

/// First header with the given name (case-insensitive), if any.
inline std::optional<std::string> findHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (equalsIgnoreCase(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

struct HttpRequest {
  std::string method = "GET";
  std::string url;    ///< outbound: the absolute URL; inbound: the public URL the provider signed
  std::string path;   ///< inbound only
  std::string query;  ///< inbound only, without '?'
  std::string remoteAddr;
  Headers headers;
  std::string body;
  uint32_t timeoutMs = 0;  ///< outbound only; 0 = host default

  std::optional<std::string> header(std::string_view name) const { return findHeader(headers, name); }
};

struct HttpResponse {
  int32_t status = 200;
  Headers headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const { return findHeader(headers, name); }
};

}  // namespace sb::sdk

#pragma once

#include "http/ResponseStream.h"

#include <switchboard/core/auth/ApiKeyService.h>

#include <switchboard/sdk/json.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sb::host {

/// A request as route handlers see it: already routed, authenticated,
/// rate-limited and size-checked.
struct ApiRequest {
  std::string method;
  std::string path;
  std::string query;                          ///< raw, without '?'
  std::map<std::string, std::string> params;  ///< from the route pattern
  std::multimap<std::string, std::string> queryParams;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::istream* bodyStream = nullptr;  ///< set instead of body on streaming routes
  std::string remoteAddr;
  std::string clientAddr;  ///< the peer's address without its port
  std::string requestId;
  bool admitted = false;                              ///< key, role and rate already checked (from the head)
  size_t maxJsonDepth = sdk::json::kDefaultMaxDepth;  ///< http.max_json_depth
  std::optional<core::Principal> principal;           ///< set on authenticated routes

  std::optional<std::string> header(const std::string& name) const;
  std::optional<std::string> queryParam(const std::string& name) const;
  /// The body parsed as a JSON object; throws ApiError(VALIDATION_ERROR)
  /// when it is not one, is nested deeper than maxJsonDepth, holds invalid
  /// UTF-8 or a number out of range.
  nlohmann::json jsonBody() const;
  /// jsonBody(), or an empty object when there is no body (commands whose
  /// fields are all optional).
  nlohmann::json jsonBodyOrEmpty() const;
};

struct ApiResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// A body written as it comes (event streams); `body` is then unused.
  std::shared_ptr<ResponseStream> stream;

  static ApiResponse json(int status, const nlohmann::json& value) {
    ApiResponse response;
    response.status = status;
    response.body = sdk::json::dump(value);  // an echoed invalid byte must not lose the answer
    return response;
  }
};

}  // namespace sb::host

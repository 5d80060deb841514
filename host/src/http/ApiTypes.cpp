#include "http/ApiTypes.h"

#include "http/ApiError.h"

#include <switchboard/sdk/http.hpp>

namespace sb::host {

std::optional<std::string> ApiRequest::header(const std::string& name) const {
  return sdk::findHeader(headers, name);
}

std::optional<std::string> ApiRequest::queryParam(const std::string& name) const {
  if (auto it = queryParams.find(name); it != queryParams.end()) {
    return it->second;
  }
  return std::nullopt;
}

nlohmann::json ApiRequest::jsonBodyOrEmpty() const {
  return body.empty() ? nlohmann::json::object() : jsonBody();
}

nlohmann::json ApiRequest::jsonBody() const {
  nlohmann::json value;
  try {
    value = sdk::json::parseBounded(body, maxJsonDepth);
  } catch (const sdk::json::TooDeep&) {
    throw ApiError::validation(
        "request body nests arrays and objects deeper than " + std::to_string(maxJsonDepth) + " levels",
        {{"max_depth", maxJsonDepth}});
  } catch (const nlohmann::json::exception& e) {  // syntax, invalid UTF-8, a number out of range
    throw ApiError::validation("request body is not valid JSON", {{"parse_error", e.what()}});
  }
  if (!value.is_object()) {
    throw ApiError::validation("request body must be a JSON object");
  }
  return value;
}

}  // namespace sb::host

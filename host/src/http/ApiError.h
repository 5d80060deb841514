#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace sb::host {

/// An error the API reports to its caller in the error envelope
/// {"error": {"code", "message", "details"}}. Handlers throw it; the
/// ErrorMapper is the only place that turns it into a response.
class ApiError : public std::runtime_error {
 public:
  ApiError(int httpStatus, std::string code, const std::string& message,
           nlohmann::json details = nlohmann::json::object())
      : std::runtime_error(message), httpStatus_(httpStatus), code_(std::move(code)), details_(std::move(details)) {}

  int httpStatus() const noexcept { return httpStatus_; }
  const std::string& code() const noexcept { return code_; }
  const nlohmann::json& details() const noexcept { return details_; }

  /// Seconds for Retry-After (0 = none).
  int retryAfterSeconds() const noexcept { return retryAfterSeconds_; }
  ApiError& withRetryAfter(int seconds) {
    retryAfterSeconds_ = seconds;
    return *this;
  }

  static ApiError unauthorized(const std::string& message) { return {401, "UNAUTHORIZED", message}; }
  static ApiError forbidden(const std::string& message) { return {403, "FORBIDDEN", message}; }
  static ApiError notFound(const std::string& message) { return {404, "NOT_FOUND", message}; }
  static ApiError validation(const std::string& message, nlohmann::json details = nlohmann::json::object()) {
    return {400, "VALIDATION_ERROR", message, std::move(details)};
  }

 private:
  int httpStatus_;
  std::string code_;
  nlohmann::json details_;
  int retryAfterSeconds_ = 0;
};

}  // namespace sb::host

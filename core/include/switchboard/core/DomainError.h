#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace sb::core {

/// A refusal by a core service for a reason the caller can fix. The host's
/// ErrorMapper turns the kind into an HTTP status and error code; the CLI
/// prints the message.
class DomainError : public std::runtime_error {
 public:
  enum class Kind {
    Validation,  ///< 400 VALIDATION_ERROR
    NotFound,    ///< 404 NOT_FOUND
    Conflict,    ///< 409 CONFLICT
    CsvInvalid,  ///< 422 CSV_INVALID
    TooLarge,    ///< 413 PAYLOAD_TOO_LARGE
    DncBlocked,  ///< 403 DNC_BLOCKED
    AgentBusy,   ///< 409 AGENT_BUSY
    AtCapacity,  ///< 503 UNAVAILABLE with Retry-After: a configured capacity is full
  };

  DomainError(Kind kind, const std::string& message, nlohmann::json details = nlohmann::json::object())
      : std::runtime_error(message), kind_(kind), details_(std::move(details)) {}

  Kind kind() const noexcept { return kind_; }
  const nlohmann::json& details() const noexcept { return details_; }

 private:
  Kind kind_;
  nlohmann::json details_;
};

}  // namespace sb::core

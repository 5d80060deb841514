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
    Validation,     ///< 400 VALIDATION_ERROR
    NotFound,       ///< 404 NOT_FOUND
    Conflict,       ///< 409 CONFLICT
    CsvInvalid,     ///< 422 CSV_INVALID
    MappingNeeded,  ///< 422 MAPPING_REQUIRED: which column holds a required field is not known
    TooLarge,       ///< 413 PAYLOAD_TOO_LARGE
    DncBlocked,     ///< 403 DNC_BLOCKED
    AgentBusy,      ///< 409 AGENT_BUSY
    AtCapacity,     ///< 503 UNAVAILABLE with Retry-After: a configured capacity is full
    Forbidden,      ///< 403 FORBIDDEN: a signature or permission check refused the request
  };

  /// What the error is about, in the domain's terms. Details carry the
  /// domain's ids (`call_id`, `participant`, `field` as core names it); an
  /// API with its own vocabulary (the cold-call contract's conference_sid,
  /// participant_sid, to_phone) maps from the subject, in its routes.
  enum class Subject {
    None,
    Call,         ///< details: call_id (the reference asked for)
    Participant,  ///< details: participant, call_id
    PhoneNumber,  ///< details: phone, and field when it came from a request
  };

  DomainError(Kind kind, const std::string& message, nlohmann::json details = nlohmann::json::object(),
              Subject subject = Subject::None)
      : std::runtime_error(message), kind_(kind), subject_(subject), details_(std::move(details)) {}

  Kind kind() const noexcept { return kind_; }
  Subject subject() const noexcept { return subject_; }
  const nlohmann::json& details() const noexcept { return details_; }

 private:
  Kind kind_;
  Subject subject_;
  nlohmann::json details_;
};

}  // namespace sb::core

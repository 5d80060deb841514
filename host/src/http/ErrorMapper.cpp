#include "http/ErrorMapper.h"

#include "http/ApiError.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/ProviderError.h>

namespace sb::host {
namespace {

ApiResponse fromProviderError(const core::ProviderError& e) {
  nlohmann::json details = {
      {"provider", e.provider()}, {"provider_error", e.what()}, {"status", std::string(sdk::statusName(e.status()))}};
  if (!e.providerCode().empty()) {
    details["provider_code"] = e.providerCode();
  }
  switch (e.status()) {
    case sdk::Status::InvalidArgument: return ErrorMapper::envelope(400, "VALIDATION_ERROR", e.what(), details);
    case sdk::Status::InvalidPhone: return ErrorMapper::envelope(400, "INVALID_PHONE_FORMAT", e.what(), details);
    case sdk::Status::NotFound: return ErrorMapper::envelope(404, "NOT_FOUND", e.what(), details);
    case sdk::Status::Unsupported: return ErrorMapper::envelope(501, "PROVIDER_NOT_IMPLEMENTED", e.what(), details);
    case sdk::Status::RateLimited: {
      ApiResponse response = ErrorMapper::envelope(429, "RATE_LIMITED", e.what(), details);
      const int64_t seconds = e.retryAfterMs() > 0 ? (e.retryAfterMs() + 999) / 1000 : 1;
      response.headers.emplace_back("Retry-After", std::to_string(seconds));
      return response;
    }
    case sdk::Status::Unavailable: return ErrorMapper::envelope(503, "PROVIDER_ERROR", e.what(), details);
    case sdk::Status::Unauthenticated:
    case sdk::Status::PermissionDenied:
    case sdk::Status::ProviderRejected:
    case sdk::Status::Internal:
    case sdk::Status::Ok: break;
  }
  return ErrorMapper::envelope(500, "PROVIDER_ERROR", e.what(), details);
}

ApiResponse fromDomainError(const core::DomainError& e) {
  using Kind = core::DomainError::Kind;
  switch (e.kind()) {
    case Kind::Validation: return ErrorMapper::envelope(400, "VALIDATION_ERROR", e.what(), e.details());
    case Kind::NotFound: return ErrorMapper::envelope(404, "NOT_FOUND", e.what(), e.details());
    case Kind::Conflict: return ErrorMapper::envelope(409, "CONFLICT", e.what(), e.details());
    case Kind::CsvInvalid: return ErrorMapper::envelope(422, "CSV_INVALID", e.what(), e.details());
    case Kind::MappingNeeded: return ErrorMapper::envelope(422, "MAPPING_REQUIRED", e.what(), e.details());
    case Kind::TooLarge: return ErrorMapper::envelope(413, "PAYLOAD_TOO_LARGE", e.what(), e.details());
    case Kind::DncBlocked: return ErrorMapper::envelope(403, "DNC_BLOCKED", e.what(), e.details());
    case Kind::AgentBusy: return ErrorMapper::envelope(409, "AGENT_BUSY", e.what(), e.details());
    case Kind::Forbidden: return ErrorMapper::envelope(403, "FORBIDDEN", e.what(), e.details());
    case Kind::AtCapacity: {
      ApiResponse response = ErrorMapper::envelope(503, "UNAVAILABLE", e.what(), e.details());
      response.headers.emplace_back("Retry-After", "5");
      return response;
    }
  }
  return ErrorMapper::envelope(500, "INTERNAL_ERROR", e.what());
}

}  // namespace

ApiResponse ErrorMapper::envelope(int status, const std::string& code, const std::string& message,
                                  const nlohmann::json& details) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  if (!details.empty()) {
    body["error"]["details"] = details;
  }
  return ApiResponse::json(status, body);
}

ApiResponse ErrorMapper::toResponse(std::exception_ptr error, const std::string& requestId) {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    ApiResponse response = envelope(e.httpStatus(), e.code(), e.what(), e.details());
    if (e.retryAfterSeconds() > 0) {
      response.headers.emplace_back("Retry-After", std::to_string(e.retryAfterSeconds()));
    }
    return response;
  } catch (const core::DomainError& e) {
    return fromDomainError(e);
  } catch (const core::ProviderError& e) {
    core::logger("http")->warn("rid={} provider {} failed: {} ({})", requestId, e.provider(), e.what(),
                               sdk::statusName(e.status()));
    return fromProviderError(e);
  } catch (const std::exception& e) {
    core::logger("http")->error("rid={} unhandled error: {}", requestId, e.what());
  } catch (...) {
    core::logger("http")->error("rid={} unhandled non-standard exception", requestId);
  }
  return envelope(500, "INTERNAL_ERROR", "internal error; see the server log for request " + requestId);
}

}  // namespace sb::host

#pragma once

#include "http/ApiTypes.h"

#include <exception>

namespace sb::host {

/// The one place where exceptions become HTTP responses in the error
/// envelope. Known types keep their meaning (ApiError as is, ProviderError
/// by status); anything else is a 500 INTERNAL_ERROR whose details stay in
/// the log, not in the response.
class ErrorMapper {
 public:
  static ApiResponse toResponse(std::exception_ptr error, const std::string& requestId);
  static ApiResponse envelope(int status, const std::string& code, const std::string& message,
                              const nlohmann::json& details = nlohmann::json::object());
};

}  // namespace sb::host

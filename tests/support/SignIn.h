#pragma once
// Signing in as the page does (POST /api/v1/session), for the tests of
// sessions, roles, the team board and the audit log.

#include <switchboard/sdk/http.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace sb::test {

/// The password the tests give the people they create.
inline constexpr const char* kPassword = "tall giraffe at noon";

struct SignedIn {
  int status = 0;
  std::string cookie;  ///< "sb_session=..." for a Cookie header
  std::string setCookie;
  nlohmann::json json;
  std::string retryAfter;
};

SignedIn signIn(uint16_t port, const std::string& email, const std::string& password = kPassword,
                const sdk::Headers& extra = {});

}  // namespace sb::test

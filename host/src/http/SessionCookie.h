#pragma once

// The session cookie: its name, reading it from a request and the
// Set-Cookie lines that give and take it.

#include "http/ApiTypes.h"

#include <cstdint>
#include <optional>
#include <string>

namespace sb::host {

inline constexpr const char* kSessionCookie = "sb_session";

/// The session cookie's value, if the request carries one.
std::optional<std::string> sessionCookie(const ApiRequest& request);

/// HttpOnly (no script reads it), SameSite=Strict (no other site's page
/// sends it), Path=/, Max-Age `maxAgeS`, and Secure when `secure`.
std::string setSessionCookie(const std::string& token, int64_t maxAgeS, bool secure);
/// The same cookie, expired.
std::string clearSessionCookie(bool secure);

}  // namespace sb::host

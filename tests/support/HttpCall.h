#pragma once

#include <switchboard/sdk/http.hpp>

#include <cstdint>
#include <string>

namespace sb::test {

/// One HTTP/1.1 request to 127.0.0.1:port; returns status, headers, body.
sdk::HttpResponse httpCall(uint16_t port, const std::string& method, const std::string& target,
                           const sdk::Headers& headers = {}, const std::string& body = {});

}  // namespace sb::test

#include "support/SignIn.h"

#include "support/HttpCall.h"

namespace sb::test {

SignedIn signIn(uint16_t port, const std::string& email, const std::string& password, const sdk::Headers& extra) {
  sdk::Headers headers = {{"Content-Type", "application/json"}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  const auto reply = httpCall(port, "POST", "/api/v1/session", headers,
                              nlohmann::json{{"email", email}, {"password", password}}.dump());
  SignedIn out;
  out.status = reply.status;
  out.setCookie = reply.header("Set-Cookie").value_or("");
  out.cookie = out.setCookie.substr(0, out.setCookie.find(';'));
  out.json = nlohmann::json::parse(reply.body, nullptr, false);
  out.retryAfter = reply.header("Retry-After").value_or("");
  return out;
}

}  // namespace sb::test

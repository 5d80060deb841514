#pragma once

// Sends the Call Control requests of TelnyxRest.h through the host's http
// service: Bearer auth, JSON, Telnyx's error envelope mapped to SDK
// statuses. Every command carries a command_id, so a command whose answer
// was lost (5xx, timeout, reset) is sent once more with the same id, as
// Telnyx advises: a duplicate within 60 s is ignored, never carried out
// twice. A 429 is waited out when its reset is short.

#include "TelnyxConfig.h"
#include "TelnyxRest.h"

#include <switchboard/sdk/host.hpp>

#include <nlohmann/json.hpp>

namespace sb::telnyx {

class TelnyxClient {
 public:
  TelnyxClient(sdk::Host host, const TelnyxConfig& config) : host_(host), config_(config) {}

  /// The response's "data" of a 2xx JSON answer; throws sdk::ProviderError.
  nlohmann::json send(const RestRequest& request) const;
  /// The raw body of a 2xx answer (the login token is text/plain).
  std::string sendText(const RestRequest& request) const;

 private:
  sdk::HttpResponse exchange(const RestRequest& request) const;

  sdk::Host host_;
  const TelnyxConfig& config_;
};

}  // namespace sb::telnyx

#pragma once

// Sends the Call Control requests of TelnyxRest.h through the host's http
// service: Bearer auth, JSON, Telnyx's error envelope mapped to SDK
// statuses. Retries are the host's (outbound.* settings): every POST carries
// an Idempotency-Key (the command's command_id, which makes Telnyx ignore a
// duplicate within 60 s), so a command whose answer was lost (5xx, timeout,
// reset) is sent once more; a 429 is waited out when its reset is short.

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

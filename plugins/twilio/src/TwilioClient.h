#pragma once

// Sends the REST requests of TwilioRest.h through the host's http service:
// HTTP Basic, form bodies, Twilio's error JSON mapped to SDK statuses.
// Retries are the host's (outbound.* settings): a 429 (Twilio did not
// process the request) is waited out when short, a GET is resent after no
// answer or a 5xx, and a POST is never resent, since a timed-out
// POST /Calls may have dialed and a second would ring the contact twice.

#include "TwilioConfig.h"
#include "TwilioRest.h"

#include <switchboard/sdk/host.hpp>

#include <nlohmann/json.hpp>

namespace sb::twilio {

class TwilioClient {
 public:
  TwilioClient(sdk::Host host, const TwilioConfig& config) : host_(host), config_(config) {}

  /// The response JSON of a 2xx; throws sdk::ProviderError otherwise.
  nlohmann::json send(const RestRequest& request) const;

 private:
  sdk::HttpResponse sendOnce(const RestRequest& request) const;

  sdk::Host host_;
  const TwilioConfig& config_;
};

}  // namespace sb::twilio

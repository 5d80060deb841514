#pragma once

// The Twilio provider: a bridge per call, named by the host's conference
// name. The contact's leg is dialed with POST /Calls; when it answers,
// Twilio fetches <base>/contact and gets conference TwiML. The agent's
// browser connects through the TwiML App, whose voice URL is <base>/voice,
// with a sealed dial session, and gets the same conference. Both legs'
// TwiML carries the conference statusCallback, so whichever leg creates the
// conference, its events arrive (the ordering trap of reference §6.4).
//
// Webhooks under <webhook_base_url>:
//   /voice                              TwiML App voice URL (browser leg)
//   /contact?call_id=&conference=       the contact leg's TwiML
//   /call-status?call_id=&leg=contact   call progress of the contact leg
//   /conference?call_id=                conference events of both legs
// The call id rides in the URLs we hand Twilio (signed with them), so an
// event resolves to its call before any Twilio SID is on record.

#include "TwilioClient.h"
#include "TwilioConfig.h"

#include <switchboard/sdk/provider.hpp>

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace sb::twilio {

class TwilioProvider final : public sdk::Provider {
 public:
  TwilioProvider(sdk::Host host, sdk::Config config);

  sdk::StartCallResult startCall(const sdk::StartCallRequest& request) override;
  sdk::EndCallResult endCall(const sdk::EndCallRequest& request) override;
  sdk::CallStatus callStatus(const sdk::CallStatusRequest& request) override;
  sdk::ParticipantUpdateResult updateParticipant(const sdk::ParticipantUpdateRequest& request) override;
  sdk::ClientCredential issueClientCredential(const sdk::ClientCredentialRequest& request) override;
  sdk::WebhookResult onWebhook(const sdk::HttpRequest& request) override;

 private:
  /// The conference's SID: the host's when it has one, else looked up by
  /// friendly name; empty when no live conference has that name.
  std::string conferenceSid(const sdk::CallRef& call) const;
  std::string callbackUrl(const std::string& endpoint, const sdk::encoding::FormFields& query) const;
  std::string conferenceCallbackUrl(const std::string& callId) const;

  sdk::HttpResponse voiceTwiml(const sdk::encoding::FormFields& params) const;
  sdk::HttpResponse contactTwiml(const sdk::encoding::FormFields& query) const;
  /// Hangs up a contact leg whose POST /Calls timed out but which Twilio
  /// placed after all (its first callback tells us its SID).
  void hangUpAbandoned(const std::string& callId, const sdk::encoding::FormFields& params) const;

  /// Marks a call whose POST /Calls failed without an answer; returns the
  /// contact leg's SID when a callback already told it.
  std::string rememberAbandoned(const std::string& callId);
  bool isAbandoned(const std::string& callId) const;
  void rememberLeg(const std::string& callId, const std::string& callSid);

  /// The host's shared state, when it offers one (ABI 1.1): what a call's
  /// callbacks taught one host, every host knows. The maps below are this
  /// host's own copy (all there is on an older host).
  std::optional<std::string> sharedGet(const std::string& key) const;
  void sharedPut(const std::string& key, const std::string& value) const;

  TwilioConfig config_;
  TwilioClient client_;
  std::optional<sdk::State> state_;
  mutable std::mutex mutex_;
  std::set<std::string> abandoned_;
  std::deque<std::string> abandonedOrder_;   ///< oldest first, to bound memory
  std::map<std::string, std::string> legs_;  ///< call id -> contact leg SID, from callbacks
  std::deque<std::string> legsOrder_;
};

}  // namespace sb::twilio

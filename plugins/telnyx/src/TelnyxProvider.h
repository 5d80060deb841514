#pragma once

// The Telnyx provider: a conference bridge per call, built the only way
// Call Control allows, from answered legs (a command to an unanswered leg is
// refused with 90034):
//   - call.start dials the contact (POST /calls, client_state = our call id
//     and leg, command_id = the call id, so a resent dial is ignored);
//   - client_credential.issue mints a short-lived login token from the
//     agent's telephony credential (never the SIP password) and a sealed
//     client_state; the page's @telnyx/webrtc client places a call with it,
//     which the credential connection parks; the plugin answers that leg;
//   - the first leg answered creates the conference, the other waits for it
//     and joins it (end_conference_on_exit: nobody is left alone in the
//     bridge); a refused command fails the webhook, which Telnyx redelivers.
// Webhooks (v2, Ed25519-signed) arrive at <webhook_base_url>/events.

#include "TelnyxClient.h"
#include "TelnyxConfig.h"

#include <switchboard/sdk/provider.hpp>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace sb::telnyx {

class TelnyxProvider final : public sdk::Provider {
 public:
  TelnyxProvider(sdk::Host host, sdk::Config config);

  sdk::StartCallResult startCall(const sdk::StartCallRequest& request) override;
  sdk::EndCallResult endCall(const sdk::EndCallRequest& request) override;
  sdk::CallStatus callStatus(const sdk::CallStatusRequest& request) override;
  sdk::ParticipantUpdateResult updateParticipant(const sdk::ParticipantUpdateRequest& request) override;
  sdk::ClientCredential issueClientCredential(const sdk::ClientCredentialRequest& request) override;
  sdk::WebhookResult onWebhook(const sdk::HttpRequest& request) override;

 private:
  /// What the plugin knows of a call's bridge (lost on restart: then the
  /// host's CallRef carries the ids, and a bridge in progress is ended).
  struct Bridge {
    std::string conferenceName;
    std::string conferenceId;
    bool creating = false;
    std::map<std::string, std::string> legIds;  ///< leg -> call_control_id, once answered
    std::set<std::string> bridged;              ///< legs that created or joined the conference
  };

  std::string sealAgentState(const std::string& callId, int64_t expiresAt) const;
  /// The browser's client_state carries our seal (and, with checkExpiry,
  /// has not expired).
  bool agentStateValid(const nlohmann::json& clientState, bool checkExpiry) const;
  /// Across hosts that share state: the conference another host made for
  /// the call (waiting while it makes it); empty when this host is to make
  /// it (it won the claim, or there is no shared state).
  std::string sharedConference(const std::string& callId);
  /// A leg answered: create the conference from it, or join it.
  void bridgeLeg(const std::string& callId, const std::string& leg, const std::string& callControlId,
                 const std::string& clientState);
  std::string conferenceOf(const sdk::CallRef& call);
  struct ParticipantState {
    bool muted = false;
    bool held = false;
  };
  /// What Telnyx says of one leg in a conference; nothing when it cannot say.
  std::optional<ParticipantState> participantState(const std::string& conference, const std::string& callControlId);
  Bridge& bridgeLocked(const std::string& callId);
  /// Hangs up a leg, true when it was still up (90018 / not found: already over).
  bool hangUp(const std::string& callControlId, const std::string& commandId);

  TelnyxConfig config_;
  TelnyxClient client_;
  /// The host's shared state (ABI 1.1): the conference's id, so that a leg
  /// answered on another host joins it instead of making a second one.
  std::optional<sdk::State> state_;
  std::mutex mutex_;
  std::condition_variable created_;  ///< a conference was created (or its creation failed)
  std::map<std::string, Bridge> bridges_;
  std::deque<std::string> order_;
};

}  // namespace sb::telnyx

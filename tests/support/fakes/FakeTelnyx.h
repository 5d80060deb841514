#pragma once

// A faithful local Telnyx (reference: the design reference telnyx.md §6.4, §9):
// the Call Control endpoints the plugin uses, Bearer auth checked, every
// request validated against the official description
// (telnyx_call_control_subset.json: path, method, JSON body schema, unknown
// fields refused); realistic {"data":...} answers and {"errors":[...]}
// envelopes (90018 ended, 90019 conference ended, 90034 not answered,
// 10016 bad number); legs that ring, answer or fail; conferences created
// from an answered leg; v2 webhooks signed with Ed25519 (the fake signs with
// a seed, the host verifies with the public key), with duplicates,
// reordering and delay on demand, redelivered (attempt 2, 3) when not
// answered 200; command_id de-duplication; login tokens;
// the browser leg as the parked call @telnyx/webrtc would place; faults.
//
// Signatures are made here with OpenSSL directly, not with the plugin's code.

#include "support/OpenApiRequest.h"
#include "support/fakes/FakeProviderServer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace Poco::Net {
class HTTPServer;
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace sb::test {

struct FakeTelnyxOptions {
  std::string apiKey = "KEY0190FAKE_telnyx_api_key_for_tests";
  std::string connectionId = "1293384261075731499";
  std::string credentialId = "c215ade3-0d39-418e-94be-c5f780760199";
  /// keyB of the reference (§5.2): the seed signs, the public key verifies.
  std::string seedHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  std::string publicKeyBase64 = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
  std::string applicationWebhookUrl;  ///< the Call Control App's webhook_event_url
  std::string credentialWebhookUrl;   ///< the credential connection's (the browser's parked calls)
  /// answered (default), busy, no-answer, failed, hangup:<ms>, invalid (422 10016)
  std::map<std::string, std::string> outcomes;
  int answerMs = 80;
  int rejectMs = 60;
  int noAnswerMs = 150;
};

class FakeTelnyx {
 public:
  explicit FakeTelnyx(FakeTelnyxOptions options = {});
  ~FakeTelnyx();
  FakeTelnyx(const FakeTelnyx&) = delete;
  FakeTelnyx& operator=(const FakeTelnyx&) = delete;

  std::string baseUrl() const;  ///< ends in /v2
  const FakeTelnyxOptions& options() const { return options_; }
  void setWebhookUrls(const std::string& application, const std::string& credential);

  /// What @telnyx/webrtc does with a login token and newCall({destinationNumber,
  /// clientState}): the token is checked, and the call is parked on the
  /// credential connection (call.initiated, state "parked"). Returns the
  /// leg's call_control_id, or an error.
  struct BrowserLeg {
    std::string callControlId;
    std::string error;
  };
  BrowserLeg connectBrowser(const std::string& loginToken, const std::string& clientState,
                            const std::string& destination);
  void hangUpBrowser(const std::string& callControlId);

  using Fault = FakeFault;
  void inject(const Fault& fault);
  void setDuplicateWebhooks(bool on);
  void setReorderWindowMs(int ms);
  void setWebhookDelayMs(int ms);
  /// The contact's call.answered goes out `ms` before the leg takes
  /// commands: a command sent at once gets 422 90034, as on a real network.
  /// The first command is refused whenever it comes, so a slow host under
  /// test still meets the refusal.
  void setEarlyAnswerMs(int ms);
  size_t notAnsweredRefusals();

  size_t count(const std::string& method, const std::string& pathContains);
  std::vector<std::string> violations();
  std::vector<std::string> rejectedWebhooks();
  std::optional<std::string> legState(const std::string& callControlId);  ///< parked|ringing|answered|hangup
  /// The dials placed to `to` (browser legs are not counted).
  std::vector<std::string> legsTo(const std::string& to);
  /// The destination each browser leg dialed, in no particular order.
  std::vector<std::string> browserDestinations();
  std::optional<std::string> conferenceStatus(const std::string& name);
  size_t conferencesNamed(const std::string& name);
  size_t participantsOf(const std::string& name);
  bool participantMuted(const std::string& name, const std::string& callControlId);
  bool participantHeld(const std::string& name, const std::string& callControlId);
  static bool waitUntil(const std::function<bool()>& test,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return FakeProviderServer::waitUntil(test, timeout);
  }

  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

  /// base64(Ed25519(seed, timestamp "|" body)): Telnyx's scheme.
  static std::string sign(const std::string& seedHex, const std::string& timestamp, const std::string& body);

 private:
  struct Leg {
    std::string callControlId;
    std::string legId;
    std::string sessionId;
    std::string to;
    std::string from;
    nlohmann::json clientState;  ///< string or null
    std::string webhookUrl;
    std::string state = "ringing";
    bool browser = false;
    std::string conferenceId;
    int64_t createdMs = 0;
    int64_t answeredMs = 0;
    int64_t commandableAtMs = 0;
    int earlyCommandsLeft = 0;  ///< commands refused with 90034 whatever the clock says
  };
  struct Conference {
    std::string id;
    std::string name;
    std::string status = "in_progress";
    std::string webhookUrl;
    std::vector<std::string> participants;
    std::set<std::string> muted;
    std::set<std::string> held;
    std::set<std::string> endOnExit;
    int64_t createdMs = 0;
  };
  struct Outgoing {
    std::string url;
    nlohmann::json envelope;
  };
  using Out = std::vector<Outgoing>;
  struct Reply {
    Reply() = default;
    Reply(int code, std::string text, std::string type = "application/json")
        : status(code), body(std::move(text)), contentType(std::move(type)) {}
    int status = 200;
    std::string body;
    std::string contentType = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
  };

  Reply route(const std::string& method, const std::string& path, const nlohmann::json& body);
  Reply dial(const nlohmann::json& body);
  Reply callAction(const std::string& id, const std::string& action, const nlohmann::json& body);
  /// A command on a leg that cannot take it yet: counted, and 90034 to send.
  bool refusesCommandLocked(Leg& leg);
  Reply createConference(const nlohmann::json& body);
  Reply conferenceAction(const std::string& idOrName, const std::string& action, const nlohmann::json& body);
  /// GET /conferences/{id}/participants: who is in it, muted and on hold.
  Reply listParticipants(const std::string& conferenceId);
  Reply mintToken(const std::string& credentialId);

  Out eventLocked(const Leg& leg, const std::string& type, nlohmann::json extra = nlohmann::json::object());
  Out conferenceEventLocked(const Conference& conference, const std::string& type, const Leg* leg,
                            nlohmann::json extra = nlohmann::json::object());
  Out hangupLocked(Leg& leg, const std::string& cause, const std::string& source);
  Out endConferenceLocked(Conference& conference, const std::string& reason);
  Conference* liveConferenceLocked(const std::string& idOrName);
  void progress(const std::string& id, const std::string& outcome);

  void dispatch(Out out);
  void deliver(const Outgoing& outgoing, int attempt);
  void after(std::chrono::milliseconds delay, std::function<void()> task) { server_.after(delay, std::move(task)); }
  static std::string uuid();
  int64_t nowMs() const;
  static Reply error(int status, const std::string& code, const std::string& title, const std::string& detail);
  static Reply ok(nlohmann::json data);

  FakeTelnyxOptions options_;
  OpenApiSpec spec_;
  std::mutex mutex_;
  std::map<std::string, Leg> legs_;
  std::map<std::string, Conference> conferences_;
  std::map<std::string, std::string> commandResults_;  ///< command_id -> the answer it got
  std::set<std::string> tokens_;
  std::vector<std::pair<std::string, std::string>> requests_;  ///< method, path
  std::vector<std::string> violations_;
  std::vector<std::string> rejected_;
  bool duplicates_ = false;
  int reorderWindowMs_ = 0;
  int webhookDelayMs_ = 0;
  int earlyAnswerMs_ = 0;
  size_t notAnswered_ = 0;

  FakeProviderServer server_;  ///< last: stopped (and its threads joined) first
};

}  // namespace sb::test

#pragma once

// A faithful local Twilio (reference: the design reference twilio.md §9): the
// REST endpoints the plugin uses, with HTTP Basic checked and every request
// validated against the official twilio_api_v2010.json (path and its
// parameters' patterns, method, form encoding, parameter names, types and
// enums; unknown parameters refused); realistic response JSON; simulated
// call progress and conferences that post X-Twilio-Signature-signed
// callbacks to the host, with duplicates, reordering and delay on demand;
// the browser leg simulated by the TwiML App request the Voice SDK would
// cause; and fault injection (5xx, 429 + Retry-After, slow answers, resets).
//
// Signatures and tokens are computed here with OpenSSL directly, not with
// the plugin's code, so that a shared mistake cannot pass unnoticed.

#include "support/OpenApiRequest.h"
#include "support/fakes/FakeProviderServer.h"

#include <switchboard/sdk/encoding.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
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

struct FakeTwilioOptions {
  std::string accountSid = "AC0123456789abcdef0123456789abcdef";
  std::string authToken = "fake-twilio-auth-token-7f3a9c";
  std::string apiKeySid = "SK0123456789abcdef0123456789abcdef";
  std::string apiKeySecret = "fake-twilio-api-key-secret-51be";
  std::string appSid = "AP0123456789abcdef0123456789abcdef";
  std::string appVoiceUrl;  ///< the TwiML App's voice URL (the host's /webhooks/twilio/voice)
  /// What each dialed number does: answered (default), busy, no-answer,
  /// failed, hangup:<ms> (answers, then hangs up after ms), or invalid
  /// (refused with 21211 when dialed).
  std::map<std::string, std::string> outcomes;
  int ringMs = 20;
  int answerMs = 60;
  int rejectMs = 40;
  int noAnswerMs = 150;
};

class FakeTwilio {
 public:
  explicit FakeTwilio(FakeTwilioOptions options = {});
  ~FakeTwilio();
  FakeTwilio(const FakeTwilio&) = delete;
  FakeTwilio& operator=(const FakeTwilio&) = delete;

  std::string baseUrl() const;
  const FakeTwilioOptions& options() const { return options_; }
  void setAppVoiceUrl(const std::string& url);

  // --- The browser leg ------------------------------------------------------
  struct BrowserLeg {
    bool joined = false;
    std::string error;    ///< why not (a token or TwiML problem, as Twilio's SDK reports it)
    std::string callSid;  ///< the browser leg's CA...
    std::string conference;
  };
  /// What Device.connect({params}) causes: the token is checked as Twilio
  /// would, the TwiML App's voice URL is requested (signed), and the TwiML
  /// answer is followed.
  BrowserLeg connectBrowser(const std::string& accessToken, const sdk::encoding::FormFields& params);
  /// The browser hangs up (the page's End, or a closed tab).
  void hangUpBrowser(const std::string& callSid);

  // --- Faults ---------------------------------------------------------------
  using Fault = FakeFault;
  void inject(const Fault& fault);
  /// Callback delivery: each sent twice, shuffled within a window, or late.
  void setDuplicateCallbacks(bool on);
  void setReorderWindowMs(int ms);
  void setCallbackDelayMs(int ms);

  // --- What happened ----------------------------------------------------------
  struct RestCall {
    std::string method;
    std::string path;
    sdk::encoding::FormFields form;
    int status = 0;
  };
  std::vector<RestCall> restCalls();
  size_t count(const std::string& method, const std::string& pathSuffix);
  /// Requests that broke the official description, Basic auth or encoding.
  std::vector<std::string> violations();
  /// Callbacks the host answered with something other than 2xx.
  std::vector<std::string> rejectedCallbacks();
  size_t callbacksDelivered();
  std::optional<std::string> callStatus(const std::string& callSid);
  std::vector<std::string> callSidsTo(const std::string& to);
  std::optional<std::string> conferenceStatus(const std::string& friendlyName);
  struct ParticipantView {
    std::string callSid;
    bool muted = false;
    bool hold = false;
  };
  std::optional<ParticipantView> participant(const std::string& friendlyName, const std::string& label);
  /// Waits until `test` holds (checked every 10 ms) or `timeout` passes.
  static bool waitUntil(const std::function<bool()>& test,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return FakeProviderServer::waitUntil(test, timeout);
  }

  /// Serves one REST request (the HTTP server's handler calls this).
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

  /// HMAC-SHA1 signature of url + sorted params, base64: Twilio's scheme.
  static std::string sign(const std::string& authToken, const std::string& url,
                          const sdk::encoding::FormFields& params);

 private:
  struct Call {
    std::string sid;
    std::string to;
    std::string from;
    std::string status = "queued";
    std::string direction = "outbound-api";
    std::string url;
    std::string statusCallback;
    std::set<std::string> events;
    int sequence = 0;
    int64_t createdMs = 0;
    int64_t answeredMs = 0;
    int64_t endedMs = 0;
    std::string conferenceSid;
  };
  struct Participant {
    std::string callSid;
    std::string label;
    bool muted = false;
    bool hold = false;
    bool endOnExit = false;
    bool startOnEnter = true;
  };
  struct Conference {
    std::string sid;
    std::string name;
    std::string status = "init";
    std::string statusCallback;
    std::set<std::string> events;
    int sequence = 0;
    int64_t createdMs = 0;
    std::string reasonEnded;
    std::vector<Participant> participants;
  };
  struct Outgoing {
    std::string url;
    sdk::encoding::FormFields params;
    std::string idempotencyToken;
  };
  using Out = std::vector<Outgoing>;
  struct Reply {
    int status = 200;
    nlohmann::json body;
    std::vector<std::pair<std::string, std::string>> headers;
  };

  Reply route(const std::string& method, const std::string& path, const sdk::encoding::FormFields& form);
  Reply createCall(const sdk::encoding::FormFields& form);
  Reply updateCall(const std::string& sid, const sdk::encoding::FormFields& form);
  Reply listConferences(const sdk::encoding::FormFields& query);
  Reply updateConference(const std::string& sid, const sdk::encoding::FormFields& form);
  Reply updateParticipant(const std::string& conferenceSid, const std::string& who,
                          const sdk::encoding::FormFields& form);

  void progress(const std::string& sid, const std::string& outcome);
  void answer(const std::string& sid, int hangupAfterMs);
  /// Asks `url` for TwiML (signed, like Twilio) and follows it for `callSid`.
  std::string followTwiml(const std::string& callSid, const std::string& url, const sdk::encoding::FormFields& params,
                          const std::string& label);

  Out callEventLocked(Call& call);
  Out conferenceEventLocked(Conference& conference, const std::string& event, const Participant* participant,
                            sdk::encoding::FormFields extra = {});
  Out joinLocked(const std::string& callSid, const std::string& name, const std::map<std::string, std::string>& attrs,
                 const std::string& label);
  Out endCallLocked(Call& call, const std::string& status, const std::string& sipCode, const std::string& leftReason);
  Out leaveLocked(Conference& conference, const std::string& callSid, const std::string& callStatus,
                  const std::string& reason);
  Out endConferenceLocked(Conference& conference, const std::string& reason, const std::string& endingSid,
                          const std::string& endingLabel);
  Conference* liveConferenceLocked(const std::string& nameOrSid);

  nlohmann::json callJsonLocked(const Call& call) const;
  nlohmann::json conferenceJsonLocked(const Conference& conference) const;
  nlohmann::json participantJsonLocked(const Conference& conference, const Participant& participant) const;

  void dispatch(Out out);
  /// POSTs a signed form to the host; returns status and body.
  std::pair<int, std::string> post(const std::string& url, const sdk::encoding::FormFields& params,
                                   const std::string& idempotencyToken, std::string* contentType = nullptr);
  void after(std::chrono::milliseconds delay, std::function<void()> task) { server_.after(delay, std::move(task)); }
  std::string newSid(const char* prefix);
  int64_t nowMs() const;

  FakeTwilioOptions options_;
  OpenApiSpec spec_;
  std::mutex mutex_;
  std::map<std::string, Call> calls_;
  std::vector<Conference> conferences_;
  std::vector<RestCall> restCalls_;
  std::vector<std::string> violations_;
  std::vector<std::string> rejectedCallbacks_;
  size_t delivered_ = 0;
  bool duplicates_ = false;
  int reorderWindowMs_ = 0;
  int callbackDelayMs_ = 0;

  FakeProviderServer server_;  ///< last: stopped (and its threads joined) first
};

}  // namespace sb::test

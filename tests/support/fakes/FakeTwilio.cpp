#include "support/fakes/FakeTwilio.h"

#include "support/Bytes.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>
#include <random>
#include <regex>
#include <sstream>

namespace sb::test {
namespace {

using sdk::encoding::FormFields;

constexpr const char* kApiVersion = "2010-04-01";

std::string hmac(const EVP_MD* md, const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out, &size);
  return std::string(reinterpret_cast<char*>(out), size);
}

std::optional<std::string> base64UrlDecode(std::string text) {
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text.push_back('=');
  std::string out(text.size(), '\0');
  const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                   reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (size < 0) return std::nullopt;
  size_t padding = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++padding;
  out.resize(static_cast<size_t>(size) - padding);
  return out;
}

std::string field(const FormFields& fields, const std::string& name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return {};
}

bool has(const FormFields& fields, const std::string& name) {
  return std::any_of(fields.begin(), fields.end(), [&](const auto& pair) { return pair.first == name; });
}

/// StatusCallbackEvent values, sent as repeated keys or space-separated.
std::set<std::string> eventList(const FormFields& fields, const std::string& name) {
  std::set<std::string> out;
  for (const auto& [key, value] : fields) {
    if (key != name) continue;
    std::istringstream words(value);
    for (std::string word; words >> word;) out.insert(word);
  }
  return out;
}

std::string rfc2822(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

std::string xmlUnescape(std::string text) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1)) {
      text.replace(at, std::string(from).size(), to);
    }
  }
  return text;
}

nlohmann::json twilioError(int status, int code, const std::string& message) {
  return {{"code", code},
          {"message", message},
          {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
          {"status", status}};
}

bool isFinal(const std::string& status) {
  return status == "completed" || status == "busy" || status == "failed" || status == "no-answer" ||
         status == "canceled";
}

bool validE164(const std::string& number) {
  return std::regex_match(number, std::regex(R"(\+[1-9][0-9]{7,14})"));
}

}  // namespace

FakeTwilio::FakeTwilio(FakeTwilioOptions options)
    : options_(std::move(options)),
      spec_(OpenApiSpec::load(std::string(SB_SOURCE_DIR) + "/tests/fixtures/specs/twilio_api_v2010.json")),
      server_([this](Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) { serve(in, out); },
              [this](const std::string& problem) {
                std::lock_guard lock(mutex_);
                violations_.push_back("fake Twilio: " + problem);
              }) {}

FakeTwilio::~FakeTwilio() = default;

std::string FakeTwilio::baseUrl() const {
  return "http://127.0.0.1:" + std::to_string(server_.port());
}

void FakeTwilio::setAppVoiceUrl(const std::string& url) {
  std::lock_guard lock(mutex_);
  options_.appVoiceUrl = url;
}

int64_t FakeTwilio::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FakeTwilio::newSid(const char* prefix) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string sid = prefix;
  for (int i = 0; i < 32; ++i) sid += kHex[random() % 16];
  return sid;
}

std::string FakeTwilio::sign(const std::string& authToken, const std::string& url, const FormFields& params) {
  FormFields sorted = params;
  std::sort(sorted.begin(), sorted.end());
  std::string data = url;
  for (const auto& [key, value] : sorted) data += key + value;
  const std::string mac = hmac(EVP_sha1(), authToken, data);
  return base64(mac);
}

// --- Delivery ----------------------------------------------------------------------

std::pair<int, std::string> FakeTwilio::post(const std::string& url, const FormFields& params,
                                             const std::string& idempotencyToken, std::string* contentType) {
  const Poco::URI uri(url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  session.setTimeout(Poco::Timespan(15, 0));  // Twilio waits 15 s for an answer
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  const std::string body = sdk::encoding::formEncode(params);
  request.setContentType("application/x-www-form-urlencoded; charset=UTF-8");
  request.set("X-Twilio-Signature", sign(options_.authToken, url, params));
  request.set("I-Twilio-Idempotency-Token", idempotencyToken);
  request.set("User-Agent", "TwilioProxy/1.1");
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::string reply;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), reply);
  if (contentType != nullptr) *contentType = response.getContentType();
  return {static_cast<int>(response.getStatus()), reply};
}

void FakeTwilio::dispatch(Out out) {
  thread_local std::mt19937 random{std::random_device{}()};
  int delay = 0;
  int window = 0;
  bool twice = false;
  {
    std::lock_guard lock(mutex_);
    delay = callbackDelayMs_;
    window = reorderWindowMs_;
    twice = duplicates_;
  }
  for (auto& outgoing : out) {
    if (outgoing.url.empty()) continue;
    const int jitter = window > 0 ? static_cast<int>(random() % static_cast<unsigned>(window)) : 0;
    auto send = [this, outgoing] {
      try {
        const auto [status, body] = post(outgoing.url, outgoing.params, outgoing.idempotencyToken);
        std::lock_guard lock(mutex_);
        ++delivered_;
        if (status < 200 || status >= 300) {
          rejectedCallbacks_.push_back(std::to_string(status) + " " + outgoing.url + " " + body);
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        rejectedCallbacks_.push_back(std::string("unreachable ") + outgoing.url + ": " + e.what());
      }
    };
    after(std::chrono::milliseconds(delay + jitter), send);
    if (twice) after(std::chrono::milliseconds(delay + jitter + 5), send);
  }
}

// --- Events --------------------------------------------------------------------

FakeTwilio::Out FakeTwilio::callEventLocked(Call& call) {
  std::string event = call.status;
  if (call.status == "in-progress") event = "answered";
  if (isFinal(call.status)) event = "completed";
  if (call.status == "queued") event = "initiated";
  // The default subscription is "completed" only.
  const bool subscribed = call.events.empty() ? event == "completed" : call.events.count(event) != 0;
  if (!subscribed || call.statusCallback.empty()) return {};
  FormFields params = {{"AccountSid", options_.accountSid},
                       {"ApiVersion", kApiVersion},
                       {"CallSid", call.sid},
                       {"CallStatus", call.status == "queued" ? "initiated" : call.status},
                       {"Called", call.to},
                       {"Caller", call.from},
                       {"CallbackSource", "call-progress-events"},
                       {"Direction", call.direction},
                       {"From", call.from},
                       {"SequenceNumber", std::to_string(call.sequence++)},
                       {"Timestamp", rfc2822(nowMs())},
                       {"To", call.to}};
  if (isFinal(call.status)) {
    const int64_t talked = call.answeredMs > 0 ? (call.endedMs - call.answeredMs) / 1000 : 0;
    params.emplace_back("CallDuration", std::to_string(talked));
    params.emplace_back("Duration", std::to_string((talked + 59) / 60));
    const std::string sip = call.status == "busy"        ? "486"
                            : call.status == "no-answer" ? "487"
                            : call.status == "failed"    ? "404"
                            : call.status == "canceled"  ? "487"
                                                         : "200";
    params.emplace_back("SipResponseCode", sip);
  }
  return {{call.statusCallback, params, newSid("")}};
}

FakeTwilio::Out FakeTwilio::conferenceEventLocked(Conference& conference, const std::string& event,
                                                  const Participant* participant, FormFields extra) {
  // Subscription keywords: start end join leave mute hold.
  std::string keyword = event.substr(event.find('-') + 1);
  if (keyword == "unmute") keyword = "mute";
  if (keyword == "unhold") keyword = "hold";
  if (conference.statusCallback.empty() || conference.events.count(keyword) == 0) return {};
  FormFields params = {{"AccountSid", options_.accountSid}, {"ConferenceSid", conference.sid},
                       {"FriendlyName", conference.name},   {"SequenceNumber", std::to_string(++conference.sequence)},
                       {"StatusCallbackEvent", event},      {"Timestamp", rfc2822(nowMs())}};
  if (participant != nullptr) {
    params.insert(params.end(), {{"CallSid", participant->callSid},
                                 {"Coaching", "false"},
                                 {"EndConferenceOnExit", participant->endOnExit ? "true" : "false"},
                                 {"Hold", participant->hold ? "true" : "false"},
                                 {"Muted", participant->muted ? "true" : "false"},
                                 {"ParticipantLabel", participant->label},
                                 {"StartConferenceOnEnter", participant->startOnEnter ? "true" : "false"}});
  }
  params.insert(params.end(), extra.begin(), extra.end());
  return {{conference.statusCallback, params, newSid("")}};
}

FakeTwilio::Conference* FakeTwilio::liveConferenceLocked(const std::string& nameOrSid) {
  for (auto& conference : conferences_) {
    if ((conference.sid == nameOrSid || conference.name == nameOrSid) && conference.status != "completed") {
      return &conference;
    }
  }
  return nullptr;
}

FakeTwilio::Out FakeTwilio::joinLocked(const std::string& callSid, const std::string& name,
                                       const std::map<std::string, std::string>& attrs, const std::string& label) {
  Out out;
  Conference* conference = liveConferenceLocked(name);
  if (conference == nullptr) {
    Conference created;
    created.sid = newSid("CF");
    created.name = name;
    created.createdMs = nowMs();
    // The first participant fixes the conference's callback (reference §2).
    if (auto it = attrs.find("statusCallback"); it != attrs.end()) created.statusCallback = it->second;
    if (auto it = attrs.find("statusCallbackEvent"); it != attrs.end()) {
      std::istringstream words(it->second);
      for (std::string word; words >> word;) created.events.insert(word);
    }
    conferences_.push_back(created);
    conference = &conferences_.back();
  }
  auto attr = [&](const char* key, bool fallback) {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second == "true";
  };
  Participant participant{callSid,
                          label,
                          attr("muted", false),
                          false,
                          attr("endConferenceOnExit", false),
                          attr("startConferenceOnEnter", true)};
  conference->participants.push_back(participant);
  calls_[callSid].conferenceSid = conference->sid;
  auto joined = conferenceEventLocked(*conference, "participant-join", &participant);
  out.insert(out.end(), joined.begin(), joined.end());
  const bool anyStarter = std::any_of(conference->participants.begin(), conference->participants.end(),
                                      [](const Participant& p) { return p.startOnEnter; });
  if (conference->status == "init" && conference->participants.size() >= 2 && anyStarter) {
    conference->status = "in-progress";
    auto started = conferenceEventLocked(*conference, "conference-start", nullptr);
    out.insert(out.end(), started.begin(), started.end());
  }
  return out;
}

FakeTwilio::Out FakeTwilio::endConferenceLocked(Conference& conference, const std::string& reason,
                                                const std::string& endingSid, const std::string& endingLabel) {
  Out out;
  conference.status = "completed";
  conference.reasonEnded = reason;
  const auto remaining = conference.participants;
  conference.participants.clear();
  for (const auto& participant : remaining) {
    Call& call = calls_[participant.callSid];
    if (!isFinal(call.status)) {
      call.status = "completed";
      call.endedMs = nowMs();
      auto ended = callEventLocked(call);
      out.insert(out.end(), ended.begin(), ended.end());
    }
    auto left = conferenceEventLocked(
        conference, "participant-leave", &participant,
        {{"ParticipantCallStatus", "completed"},
         {"ReasonParticipantLeft",
          reason == "conference-ended-via-api" ? "conference_ended_via_api" : "moderator_ended_conference"}});
    out.insert(out.end(), left.begin(), left.end());
  }
  FormFields extra = {{"ReasonConferenceEnded", reason}, {"Reason", "Conference ended: " + reason}};
  if (!endingSid.empty()) {
    extra.emplace_back("CallSidEndingConference", endingSid);
    extra.emplace_back("ParticipantLabelEndingConference", endingLabel);
  }
  auto ended = conferenceEventLocked(conference, "conference-end", nullptr, extra);
  out.insert(out.end(), ended.begin(), ended.end());
  return out;
}

FakeTwilio::Out FakeTwilio::leaveLocked(Conference& conference, const std::string& callSid,
                                        const std::string& callStatus, const std::string& reason) {
  auto it = std::find_if(conference.participants.begin(), conference.participants.end(),
                         [&](const Participant& p) { return p.callSid == callSid; });
  if (it == conference.participants.end()) return {};
  const Participant leaving = *it;
  conference.participants.erase(it);
  Out out = conferenceEventLocked(conference, "participant-leave", &leaving,
                                  {{"ParticipantCallStatus", callStatus}, {"ReasonParticipantLeft", reason}});
  if (leaving.endOnExit) {
    auto ended =
        endConferenceLocked(conference, "participant-with-end-conference-on-exit-left", leaving.callSid, leaving.label);
    out.insert(out.end(), ended.begin(), ended.end());
  } else if (conference.participants.empty()) {
    auto ended = endConferenceLocked(conference, "last-participant-left", leaving.callSid, leaving.label);
    out.insert(out.end(), ended.begin(), ended.end());
  }
  return out;
}

FakeTwilio::Out FakeTwilio::endCallLocked(Call& call, const std::string& status, const std::string& /*sipCode*/,
                                          const std::string& leftReason) {
  if (isFinal(call.status)) return {};
  call.status = status;
  call.endedMs = nowMs();
  Out out = callEventLocked(call);
  if (Conference* conference = liveConferenceLocked(call.conferenceSid); conference != nullptr) {
    auto left = leaveLocked(*conference, call.sid, status, leftReason);
    out.insert(out.end(), left.begin(), left.end());
  }
  return out;
}

// --- Call progress ---------------------------------------------------------------

void FakeTwilio::progress(const std::string& sid, const std::string& outcome) {
  Out out;
  {
    std::lock_guard lock(mutex_);
    Call& call = calls_[sid];
    if (call.status != "queued") return;  // canceled meanwhile
    call.status = "ringing";
    out = callEventLocked(call);
  }
  dispatch(std::move(out));
  if (outcome == "answered" || outcome.rfind("hangup:", 0) == 0) {
    const int hangup = outcome == "answered" ? 0 : std::stoi(outcome.substr(7));
    after(std::chrono::milliseconds(options_.answerMs), [this, sid, hangup] { answer(sid, hangup); });
    return;
  }
  const int wait = outcome == "no-answer" ? options_.noAnswerMs : options_.rejectMs;
  after(std::chrono::milliseconds(wait), [this, sid, outcome] {
    Out ended;
    {
      std::lock_guard lock(mutex_);
      Call& call = calls_[sid];
      if (call.status != "ringing") return;
      ended = endCallLocked(call, outcome, "", "participant_hung_up");
    }
    dispatch(std::move(ended));
  });
}

void FakeTwilio::answer(const std::string& sid, int hangupAfterMs) {
  Out out;
  FormFields params;
  std::string url;
  {
    std::lock_guard lock(mutex_);
    Call& call = calls_[sid];
    if (call.status != "ringing") return;
    call.status = "in-progress";
    call.answeredMs = nowMs();
    out = callEventLocked(call);
    url = call.url;
    params = {{"AccountSid", options_.accountSid}, {"ApiVersion", kApiVersion}, {"CallSid", sid},
              {"CallStatus", "in-progress"},       {"Called", call.to},         {"Caller", call.from},
              {"Direction", call.direction},       {"From", call.from},         {"To", call.to}};
  }
  dispatch(std::move(out));
  const std::string problem = followTwiml(sid, url, params, "");
  if (!problem.empty()) {
    std::lock_guard lock(mutex_);
    violations_.push_back("contact TwiML: " + problem);
  }
  if (hangupAfterMs > 0) {
    after(std::chrono::milliseconds(hangupAfterMs), [this, sid] {
      Out ended;
      {
        std::lock_guard lock(mutex_);
        ended = endCallLocked(calls_[sid], "completed", "200", "participant_hung_up");
      }
      dispatch(std::move(ended));
    });
  }
}

std::string FakeTwilio::followTwiml(const std::string& callSid, const std::string& url, const FormFields& params,
                                    const std::string& label) {
  std::string contentType;
  std::pair<int, std::string> reply;
  try {
    reply = post(url, params, newSid(""), &contentType);
  } catch (const std::exception& e) {
    Out ended;
    {
      std::lock_guard lock(mutex_);
      ended = endCallLocked(calls_[callSid], "failed", "", "participant_hung_up");
    }
    dispatch(std::move(ended));
    return std::string("11205 HTTP connection failure: ") + e.what();
  }
  const auto& [status, body] = reply;
  std::string problem;
  std::smatch conference;
  static const std::regex kConference(R"(<Response><Dial><Conference([^>]*)>([^<]+)</Conference></Dial></Response>)");
  if (status != 200) {
    problem = "11200 HTTP retrieval failure: HTTP " + std::to_string(status);
  } else if (contentType.rfind("text/xml", 0) != 0 && contentType.rfind("application/xml", 0) != 0) {
    problem = "12300 invalid Content-Type '" + contentType + "'";
  } else if (body.rfind(R"(<?xml version="1.0" encoding="UTF-8"?>)", 0) != 0) {
    problem = "12100 document parse failure: no XML declaration";
  } else if (std::regex_search(body, conference, kConference)) {
    std::map<std::string, std::string> attrs;
    static const std::regex kAttribute(R"re(\s([A-Za-z]+)="([^"]*)")re");
    const std::string attributes = conference[1];
    for (auto it = std::sregex_iterator(attributes.begin(), attributes.end(), kAttribute); it != std::sregex_iterator();
         ++it) {
      attrs[(*it)[1]] = xmlUnescape((*it)[2]);
    }
    std::string participantLabel = attrs.count("participantLabel") ? attrs["participantLabel"] : label;
    Out out;
    {
      std::lock_guard lock(mutex_);
      Conference* live = liveConferenceLocked(xmlUnescape(conference[2]));
      const bool taken =
          live != nullptr && std::any_of(live->participants.begin(), live->participants.end(),
                                         [&](const Participant& p) { return p.label == participantLabel; });
      if (taken) {
        // 16025: the label is in use; the call moves past <Dial> and ends.
        out = endCallLocked(calls_[callSid], "completed", "", "participant_hung_up");
        problem = "16025 participantLabel '" + participantLabel + "' already in use";
      } else {
        out = joinLocked(callSid, xmlUnescape(conference[2]), attrs, participantLabel);
      }
    }
    dispatch(std::move(out));
    return problem;
  } else if (body.find("<Reject/>") != std::string::npos || body.find("<Hangup/>") != std::string::npos) {
    Out out;
    {
      std::lock_guard lock(mutex_);
      out = endCallLocked(calls_[callSid], body.find("<Reject/>") != std::string::npos ? "busy" : "completed", "",
                          "participant_hung_up");
    }
    dispatch(std::move(out));
    return "rejected by TwiML";
  } else {
    problem = "12100 unexpected TwiML: " + body;
  }
  Out out;
  {
    std::lock_guard lock(mutex_);
    out = endCallLocked(calls_[callSid], "failed", "", "participant_hung_up");
  }
  dispatch(std::move(out));
  return problem;
}

// --- The browser leg -------------------------------------------------------------

FakeTwilio::BrowserLeg FakeTwilio::connectBrowser(const std::string& accessToken, const FormFields& params) {
  BrowserLeg leg;
  // The token, checked as Twilio's signaling server would (reference §5).
  const size_t first = accessToken.find('.');
  const size_t second = accessToken.find('.', first == std::string::npos ? 0 : first + 1);
  if (first == std::string::npos || second == std::string::npos) {
    leg.error = "31204 invalid JWT";
    return leg;
  }
  const std::string signedPart = accessToken.substr(0, second);
  const std::string mac = hmac(EVP_sha256(), options_.apiKeySecret, signedPart);
  std::string expected = base64(mac);
  for (char& c : expected) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!expected.empty() && expected.back() == '=') expected.pop_back();
  if (expected != accessToken.substr(second + 1)) {
    leg.error = "31202 JWT signature validation failed";
    return leg;
  }
  const auto header = base64UrlDecode(accessToken.substr(0, first));
  const auto payload = base64UrlDecode(accessToken.substr(first + 1, second - first - 1));
  const auto h = nlohmann::json::parse(header.value_or(""), nullptr, false);
  const auto p = nlohmann::json::parse(payload.value_or(""), nullptr, false);
  const int64_t now = nowMs() / 1000;
  if (!h.is_object() || h.value("alg", "") != "HS256" || h.value("cty", "") != "twilio-fpa;v=1" || !p.is_object()) {
    leg.error = "31204 invalid JWT header";
  } else if (p.value("iss", "") != options_.apiKeySid || p.value("sub", "") != options_.accountSid) {
    leg.error = "20101 invalid Access Token issuer/subject";
  } else if (p.value("exp", int64_t{0}) <= now || p.value("nbf", int64_t{0}) > now + 5) {
    leg.error = "20104 Access Token expired or not yet valid";
  } else if (p.value("exp", int64_t{0}) - p.value("iat", p.value("nbf", int64_t{0})) > 86400) {
    leg.error = "31207 JWT token expiration too long";
  } else if (p["grants"].value("identity", "").empty() ||
             p["grants"]["voice"]["outgoing"].value("application_sid", "") != options_.appSid) {
    leg.error = "31001 application not found (the token's VoiceGrant names another TwiML App)";
  }
  if (!leg.error.empty()) return leg;

  const std::string identity = p["grants"]["identity"].get<std::string>();
  std::string url;
  {
    std::lock_guard lock(mutex_);
    Call call;
    call.sid = newSid("CA");
    call.from = "client:" + identity;
    call.status = "ringing";
    call.direction = "inbound";
    call.createdMs = nowMs();
    calls_[call.sid] = call;
    leg.callSid = call.sid;
    url = options_.appVoiceUrl;
  }
  FormFields form = {{"AccountSid", options_.accountSid}, {"ApiVersion", kApiVersion},
                     {"ApplicationSid", options_.appSid}, {"CallSid", leg.callSid},
                     {"CallStatus", "ringing"},           {"Called", ""},
                     {"Caller", "client:" + identity},    {"Direction", "inbound"},
                     {"From", "client:" + identity},      {"To", ""}};
  form.insert(form.end(), params.begin(), params.end());
  {
    std::lock_guard lock(mutex_);
    calls_[leg.callSid].status = "in-progress";
    calls_[leg.callSid].answeredMs = nowMs();
  }
  const std::string problem = followTwiml(leg.callSid, url, form, "");
  std::lock_guard lock(mutex_);
  leg.joined = problem.empty();
  leg.error = problem;
  leg.conference = calls_[leg.callSid].conferenceSid;
  return leg;
}

void FakeTwilio::hangUpBrowser(const std::string& callSid) {
  Out out;
  {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(callSid);
    if (it == calls_.end()) return;
    out = endCallLocked(it->second, "completed", "200", "participant_hung_up");
  }
  dispatch(std::move(out));
}

// --- REST ------------------------------------------------------------------------

void FakeTwilio::serve(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
  const Poco::URI uri(in.getURI());
  const std::string method = in.getMethod();
  const std::string path = uri.getPath();
  std::string body;
  Poco::StreamCopier::copyToString(in.stream(), body);
  const FormFields form = sdk::encoding::parseForm(method == "GET" ? uri.getRawQuery() : body);
  const std::optional<Fault> fault = server_.takeFault(method, path);
  // Recorded on arrival: a slow answer is still a request Twilio received.
  size_t index = 0;
  {
    std::lock_guard lock(mutex_);
    index = restCalls_.size();
    restCalls_.push_back({method, path, form, 0});
  }
  auto send = [&](const Reply& reply) {
    {
      std::lock_guard lock(mutex_);
      restCalls_[index].status = reply.status;
    }
    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    for (const auto& [name, value] : reply.headers) out.set(name, value);
    out.setContentType("application/json; charset=utf-8");
    out.send() << reply.body.dump();
  };
  if (fault && fault->kind == Fault::Kind::Reset) {
    FakeProviderServer::reset(in);  // before any answer: nothing was carried out
    return;
  }
  if (fault && fault->kind == Fault::Kind::Status) {
    send({fault->status, twilioError(fault->status, 20500, "Internal Server Error"), {}});
    return;
  }
  if (fault && fault->kind == Fault::Kind::RateLimit) {
    send({429, twilioError(429, 20429, "Too Many Requests"), {{"Retry-After", std::to_string(fault->retryAfterS)}}});
    return;
  }

  // HTTP Basic: the account and its auth token, or an API key and secret.
  std::string user;
  std::string password;
  const std::string authorization = in.get("Authorization", "");
  if (authorization.rfind("Basic ", 0) == 0) {
    const auto decoded = base64UrlDecode(authorization.substr(6));  // standard base64 decodes too
    const size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon != std::string::npos) {
      user = decoded->substr(0, colon);
      password = decoded->substr(colon + 1);
    }
  }
  const bool authenticated = (user == options_.accountSid && password == options_.authToken) ||
                             (user == options_.apiKeySid && password == options_.apiKeySecret);
  if (!authenticated) {
    {
      std::lock_guard lock(mutex_);
      violations_.push_back(method + " " + path + ": HTTP Basic credentials missing or wrong");
    }
    send({401, twilioError(401, 20003, "Authenticate"), {{"WWW-Authenticate", "Basic realm=\"Twilio API\""}}});
    return;
  }
  std::vector<std::string> problems = spec_.check(method, path, form);
  if (method == "POST" && in.getContentType().rfind("application/x-www-form-urlencoded", 0) != 0) {
    problems.push_back("Content-Type is '" + in.getContentType() + "', not application/x-www-form-urlencoded");
  }
  if (!problems.empty()) {
    std::string text;
    for (const auto& problem : problems) text += (text.empty() ? "" : "; ") + problem;
    {
      std::lock_guard lock(mutex_);
      violations_.push_back(method + " " + path + ": " + text);
    }
    send({400, twilioError(400, 20001, "Invalid parameter: " + text), {}});
    return;
  }
  const std::string prefix = "/2010-04-01/Accounts/" + options_.accountSid + "/";
  Reply reply;
  if (path.rfind(prefix, 0) != 0) {
    reply = {404, twilioError(404, 20404, "The requested resource " + path + " was not found"), {}};
  } else {
    reply = route(method, path.substr(prefix.size()), form);
  }
  if (fault && fault->kind == Fault::Kind::Slow) {
    // Carried out, but the answer comes after the client gave up.
    server_.sleepUnlessStopping(std::chrono::milliseconds(fault->delayMs));
  }
  if (fault && fault->kind == Fault::Kind::ResetAfter) {
    FakeProviderServer::reset(in);  // carried out; the answer is lost
    return;
  }
  if (fault && fault->kind == Fault::Kind::FailAfter) {
    send({fault->status, twilioError(fault->status, 20500, "Internal Server Error"), {}});
    return;
  }
  send(reply);
}

FakeTwilio::Reply FakeTwilio::route(const std::string& method, const std::string& path, const FormFields& form) {
  std::smatch m;
  static const std::regex kCall(R"(Calls/(CA[0-9a-f]{32})\.json)");
  static const std::regex kConference(R"(Conferences/(CF[0-9a-f]{32})\.json)");
  static const std::regex kParticipant(R"(Conferences/(CF[0-9a-f]{32})/Participants/([^/]+)\.json)");
  auto notFound = [&] {
    return Reply{404, twilioError(404, 20404, "The requested resource " + path + " was not found"), {}};
  };
  if (method == "POST" && path == "Calls.json") return createCall(form);
  if (std::regex_match(path, m, kCall)) {
    if (method == "POST") return updateCall(m[1], form);
    std::lock_guard lock(mutex_);
    auto it = calls_.find(m[1]);
    return it == calls_.end() ? notFound() : Reply{200, callJsonLocked(it->second), {}};
  }
  if (method == "GET" && path == "Conferences.json") return listConferences(form);
  if (std::regex_match(path, m, kConference)) {
    if (method == "POST") return updateConference(m[1], form);
    std::lock_guard lock(mutex_);
    for (const auto& conference : conferences_) {
      if (conference.sid == m[1]) return {200, conferenceJsonLocked(conference), {}};
    }
    return notFound();
  }
  if (method == "POST" && std::regex_match(path, m, kParticipant)) {
    return updateParticipant(m[1], sdk::encoding::formDecode(m[2].str()), form);
  }
  return notFound();
}

FakeTwilio::Reply FakeTwilio::createCall(const FormFields& form) {
  const std::string to = field(form, "To");
  const std::string from = field(form, "From");
  const bool unreachable = options_.outcomes.count(to) != 0 && options_.outcomes.at(to) == "invalid";
  if (!validE164(to) || unreachable) {
    return {400, twilioError(400, 21211, "The 'To' number " + to + " is not a valid phone number."), {}};
  }
  if (!validE164(from)) {
    return {400, twilioError(400, 21212, "The 'From' number " + from + " is not a valid phone number."), {}};
  }
  const int sources = (has(form, "Url") ? 1 : 0) + (has(form, "Twiml") ? 1 : 0) + (has(form, "ApplicationSid") ? 1 : 0);
  if (sources != 1) {
    return {400, twilioError(400, 21205, "Exactly one of Url, Twiml or ApplicationSid is required"), {}};
  }
  Call call;
  call.sid = newSid("CA");
  call.to = to;
  call.from = from;
  call.url = field(form, "Url");
  call.statusCallback = field(form, "StatusCallback");
  call.events = eventList(form, "StatusCallbackEvent");
  call.createdMs = nowMs();
  Out out;
  nlohmann::json json;
  {
    std::lock_guard lock(mutex_);
    calls_[call.sid] = call;
    out = callEventLocked(calls_[call.sid]);  // initiated
    json = callJsonLocked(call);
  }
  dispatch(std::move(out));
  const std::string outcome = options_.outcomes.count(to) ? options_.outcomes.at(to) : "answered";
  const std::string sid = call.sid;
  after(std::chrono::milliseconds(options_.ringMs), [this, sid, outcome] { progress(sid, outcome); });
  return {201, json, {}};
}

FakeTwilio::Reply FakeTwilio::updateCall(const std::string& sid, const FormFields& form) {
  Out out;
  Reply reply;
  {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(sid);
    if (it == calls_.end()) {
      return {404, twilioError(404, 20404, "The requested resource Calls/" + sid + ".json was not found"), {}};
    }
    Call& call = it->second;
    const std::string status = field(form, "Status");
    if (!status.empty()) {
      if (isFinal(call.status)) {
        return {400, twilioError(400, 21220, "Call is not in-progress. Cannot redirect."), {}};
      }
      if (status == "canceled" && call.status == "in-progress") {
        return {400, twilioError(400, 21220, "Call is in-progress; canceled applies to queued or ringing calls"), {}};
      }
      out = endCallLocked(call, call.status == "in-progress" ? "completed" : "canceled", "",
                          "participant_updated_via_api");
    }
    reply = {200, callJsonLocked(call), {}};
  }
  dispatch(std::move(out));
  return reply;
}

FakeTwilio::Reply FakeTwilio::listConferences(const FormFields& query) {
  std::lock_guard lock(mutex_);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& conference : conferences_) {
    if (has(query, "FriendlyName") && conference.name != field(query, "FriendlyName")) continue;
    if (has(query, "Status") && conference.status != field(query, "Status")) continue;
    list.push_back(conferenceJsonLocked(conference));
  }
  const std::string uri = "/2010-04-01/Accounts/" + options_.accountSid + "/Conferences.json";
  return {200,
          {{"conferences", list},
           {"end", list.empty() ? size_t{0} : list.size() - 1},
           {"first_page_uri", uri + "?PageSize=50&Page=0"},
           {"next_page_uri", nullptr},
           {"page", 0},
           {"page_size", 50},
           {"previous_page_uri", nullptr},
           {"start", 0},
           {"uri", uri + "?PageSize=50&Page=0"}},
          {}};
}

FakeTwilio::Reply FakeTwilio::updateConference(const std::string& sid, const FormFields& form) {
  Out out;
  Reply reply;
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(conferences_.begin(), conferences_.end(), [&](const Conference& c) { return c.sid == sid; });
    if (it == conferences_.end()) {
      return {404, twilioError(404, 20404, "The requested resource Conferences/" + sid + ".json was not found"), {}};
    }
    if (field(form, "Status") == "completed") {
      if (it->status == "completed") {
        return {400, twilioError(400, 20001, "Conference " + sid + " is not in-progress"), {}};
      }
      out = endConferenceLocked(*it, "conference-ended-via-api", "", "");
    }
    reply = {200, conferenceJsonLocked(*it), {}};
  }
  dispatch(std::move(out));
  return reply;
}

FakeTwilio::Reply FakeTwilio::updateParticipant(const std::string& conferenceSid, const std::string& who,
                                                const FormFields& form) {
  Out out;
  Reply reply;
  {
    std::lock_guard lock(mutex_);
    Conference* conference = liveConferenceLocked(conferenceSid);
    auto participant = conference == nullptr
                           ? std::vector<Participant>::iterator{}
                           : std::find_if(conference->participants.begin(), conference->participants.end(),
                                          [&](const Participant& p) { return p.callSid == who || p.label == who; });
    if (conference == nullptr || participant == conference->participants.end()) {
      return {404,
              twilioError(404, 20404,
                          "The requested resource Conferences/" + conferenceSid + "/Participants/" + who +
                              ".json was not found"),
              {}};
    }
    if (has(form, "Muted")) {
      const bool muted = field(form, "Muted") == "true";  // anything else is false, as Twilio reads it
      if (muted != participant->muted) {
        participant->muted = muted;
        auto event =
            conferenceEventLocked(*conference, muted ? "participant-mute" : "participant-unmute", &*participant);
        out.insert(out.end(), event.begin(), event.end());
      }
    }
    if (has(form, "Hold")) {
      const bool hold = field(form, "Hold") == "true";
      if (hold != participant->hold) {
        participant->hold = hold;
        auto event =
            conferenceEventLocked(*conference, hold ? "participant-hold" : "participant-unhold", &*participant);
        out.insert(out.end(), event.begin(), event.end());
      }
    }
    reply = {200, participantJsonLocked(*conference, *participant), {}};
  }
  dispatch(std::move(out));
  return reply;
}

// --- Resource JSON ------------------------------------------------------------------

nlohmann::json FakeTwilio::callJsonLocked(const Call& call) const {
  const std::string uri = "/2010-04-01/Accounts/" + options_.accountSid + "/Calls/" + call.sid;
  const int64_t talked = call.answeredMs > 0 && call.endedMs > 0 ? (call.endedMs - call.answeredMs) / 1000 : 0;
  return {{"sid", call.sid},
          {"account_sid", options_.accountSid},
          {"api_version", kApiVersion},
          {"date_created", rfc2822(call.createdMs)},
          {"date_updated", rfc2822(nowMs())},
          {"parent_call_sid", nullptr},
          {"to", call.to},
          {"to_formatted", call.to},
          {"from", call.from},
          {"from_formatted", call.from},
          {"phone_number_sid", nullptr},
          {"status", call.status},
          {"start_time", call.answeredMs > 0 ? nlohmann::json(rfc2822(call.answeredMs)) : nlohmann::json(nullptr)},
          {"end_time", call.endedMs > 0 ? nlohmann::json(rfc2822(call.endedMs)) : nlohmann::json(nullptr)},
          {"duration", isFinal(call.status) ? nlohmann::json(std::to_string(talked)) : nlohmann::json(nullptr)},
          {"price", nullptr},
          {"price_unit", "USD"},
          {"direction", call.direction},
          {"answered_by", nullptr},
          {"forwarded_from", nullptr},
          {"group_sid", nullptr},
          {"caller_name", nullptr},
          {"queue_time", "0"},
          {"trunk_sid", nullptr},
          {"uri", uri + ".json"},
          {"subresource_uris",
           {{"notifications", uri + "/Notifications.json"},
            {"recordings", uri + "/Recordings.json"},
            {"events", uri + "/Events.json"}}}};
}

nlohmann::json FakeTwilio::conferenceJsonLocked(const Conference& conference) const {
  const std::string uri = "/2010-04-01/Accounts/" + options_.accountSid + "/Conferences/" + conference.sid;
  return {
      {"account_sid", options_.accountSid},
      {"api_version", kApiVersion},
      {"date_created", rfc2822(conference.createdMs)},
      {"date_updated", rfc2822(nowMs())},
      {"friendly_name", conference.name},
      {"region", "us1"},
      {"sid", conference.sid},
      {"status", conference.status},
      {"reason_conference_ended",
       conference.reasonEnded.empty() ? nlohmann::json(nullptr) : nlohmann::json(conference.reasonEnded)},
      {"call_sid_ending_conference", nullptr},
      {"uri", uri + ".json"},
      {"subresource_uris", {{"participants", uri + "/Participants.json"}, {"recordings", uri + "/Recordings.json"}}}};
}

nlohmann::json FakeTwilio::participantJsonLocked(const Conference& conference, const Participant& participant) const {
  return {{"account_sid", options_.accountSid},
          {"call_sid", participant.callSid},
          {"label", participant.label},
          {"call_sid_to_coach", nullptr},
          {"coaching", false},
          {"conference_sid", conference.sid},
          {"date_created", rfc2822(conference.createdMs)},
          {"date_updated", rfc2822(nowMs())},
          {"end_conference_on_exit", participant.endOnExit},
          {"muted", participant.muted},
          {"hold", participant.hold},
          {"start_conference_on_enter", participant.startOnEnter},
          {"status", "connected"},
          {"uri", "/2010-04-01/Accounts/" + options_.accountSid + "/Conferences/" + conference.sid + "/Participants/" +
                      participant.callSid + ".json"}};
}

// --- Knobs and observation ------------------------------------------------------------

void FakeTwilio::inject(const Fault& fault) {
  server_.inject(fault);
}

void FakeTwilio::setDuplicateCallbacks(bool on) {
  std::lock_guard lock(mutex_);
  duplicates_ = on;
}

void FakeTwilio::setReorderWindowMs(int ms) {
  std::lock_guard lock(mutex_);
  reorderWindowMs_ = ms;
}

void FakeTwilio::setCallbackDelayMs(int ms) {
  std::lock_guard lock(mutex_);
  callbackDelayMs_ = ms;
}

std::vector<FakeTwilio::RestCall> FakeTwilio::restCalls() {
  std::lock_guard lock(mutex_);
  return restCalls_;
}

size_t FakeTwilio::count(const std::string& method, const std::string& pathSuffix) {
  std::lock_guard lock(mutex_);
  return static_cast<size_t>(std::count_if(restCalls_.begin(), restCalls_.end(), [&](const RestCall& call) {
    return call.method == method && call.path.size() >= pathSuffix.size() &&
           call.path.compare(call.path.size() - pathSuffix.size(), pathSuffix.size(), pathSuffix) == 0;
  }));
}

std::vector<std::string> FakeTwilio::violations() {
  std::lock_guard lock(mutex_);
  return violations_;
}

std::vector<std::string> FakeTwilio::rejectedCallbacks() {
  std::lock_guard lock(mutex_);
  return rejectedCallbacks_;
}

size_t FakeTwilio::callbacksDelivered() {
  std::lock_guard lock(mutex_);
  return delivered_;
}

std::optional<std::string> FakeTwilio::callStatus(const std::string& callSid) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(callSid);
  return it == calls_.end() ? std::nullopt : std::optional<std::string>(it->second.status);
}

std::vector<std::string> FakeTwilio::callSidsTo(const std::string& to) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> sids;
  for (const auto& [sid, call] : calls_) {
    if (call.to == to) sids.push_back(sid);
  }
  return sids;
}

std::optional<std::string> FakeTwilio::conferenceStatus(const std::string& friendlyName) {
  std::lock_guard lock(mutex_);
  std::optional<std::string> status;
  for (const auto& conference : conferences_) {
    if (conference.name == friendlyName) status = conference.status;  // the latest of that name
  }
  return status;
}

std::optional<FakeTwilio::ParticipantView> FakeTwilio::participant(const std::string& friendlyName,
                                                                   const std::string& label) {
  std::lock_guard lock(mutex_);
  Conference* conference = liveConferenceLocked(friendlyName);
  if (conference == nullptr) return std::nullopt;
  for (const auto& p : conference->participants) {
    if (p.label == label) return ParticipantView{p.callSid, p.muted, p.hold};
  }
  return std::nullopt;
}

}  // namespace sb::test

#include "support/fakes/FakeTelnyx.h"

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

namespace sb::test {
namespace {

/// What Telnyx accepts as a call's `to`: +E.164 or a SIP URI.
bool dialable(const std::string& to) {
  static const std::regex kDialable(R"(\+[1-9][0-9]{7,14}|sip:.+@.+)");
  return std::regex_match(to, kDialable);
}

constexpr int kMaxAttempts = 3;
constexpr int kRetryDelayMs = 200;

std::string base64Url(const std::string& bytes) {
  std::string out = base64(bytes);
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string iso(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  char micros[16];
  std::snprintf(micros, sizeof micros, ".%06dZ", static_cast<int>((ms % 1000) * 1000));
  return std::string(buffer) + micros;
}

std::string stringField(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

FakeTelnyx::FakeTelnyx(FakeTelnyxOptions options)
    : options_(std::move(options)),
      spec_(OpenApiSpec::load(std::string(SB_SOURCE_DIR) + "/tests/fixtures/specs/telnyx_call_control_subset.json")),
      server_([this](Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) { serve(in, out); },
              [this](const std::string& problem) {
                std::lock_guard lock(mutex_);
                violations_.push_back("fake Telnyx: " + problem);
              }) {}

FakeTelnyx::~FakeTelnyx() = default;

std::string FakeTelnyx::baseUrl() const {
  return "http://127.0.0.1:" + std::to_string(server_.port()) + "/v2";
}

void FakeTelnyx::setWebhookUrls(const std::string& application, const std::string& credential) {
  std::lock_guard lock(mutex_);
  options_.applicationWebhookUrl = application;
  options_.credentialWebhookUrl = credential;
}

int64_t FakeTelnyx::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FakeTelnyx::uuid() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += kHex[random() % 16];
  }
  return out;
}

std::string FakeTelnyx::sign(const std::string& seedHex, const std::string& timestamp, const std::string& body) {
  const std::string seed = fromHex(seedHex);
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                               reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const std::string message = timestamp + "|" + body;
  unsigned char signature[64];
  size_t size = sizeof signature;
  EVP_DigestSignInit(context, nullptr, nullptr, nullptr, key);
  EVP_DigestSign(context, signature, &size, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  EVP_MD_CTX_free(context);
  EVP_PKEY_free(key);
  return base64(std::string(reinterpret_cast<char*>(signature), size));
}

FakeTelnyx::Reply FakeTelnyx::error(int status, const std::string& code, const std::string& title,
                                    const std::string& detail) {
  return {status,
          nlohmann::json{{"errors",
                          {{{"code", code},
                            {"title", title},
                            {"detail", detail},
                            {"meta", {{"url", "https://developers.telnyx.com/docs/overview/errors/" + code}}}}}}}
              .dump()};
}

FakeTelnyx::Reply FakeTelnyx::ok(nlohmann::json data) {
  return {200, nlohmann::json{{"data", std::move(data)}}.dump()};
}

// --- Delivery ----------------------------------------------------------------------

void FakeTelnyx::deliver(const Outgoing& outgoing, int attempt) {
  nlohmann::json envelope = outgoing.envelope;
  envelope["meta"] = {{"attempt", attempt}, {"delivered_to", outgoing.url}};
  const std::string body = envelope.dump();
  const std::string timestamp = std::to_string(nowMs() / 1000);
  try {
    const Poco::URI uri(outgoing.url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.set("User-Agent", "telnyx-webhooks");
    request.set("telnyx-timestamp", timestamp);
    request.set("telnyx-signature-ed25519", sign(options_.seedHex, timestamp, body));
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::string reply;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), reply);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      std::lock_guard lock(mutex_);
      rejected_.push_back(std::to_string(response.getStatus()) + " " + outgoing.url + " " + reply);
    } else {
      return;
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    rejected_.push_back("unreachable " + outgoing.url + ": " + e.what());
  }
  // "The server must return an HTTP 200, otherwise we will reattempt
  // delivery" (reference §4.1): the same event id, the next attempt.
  if (attempt < kMaxAttempts) {
    after(std::chrono::milliseconds(kRetryDelayMs * attempt),
          [this, outgoing, attempt] { deliver(outgoing, attempt + 1); });
  }
}

void FakeTelnyx::dispatch(Out out) {
  thread_local std::mt19937 random{std::random_device{}()};
  bool twice = false;
  int window = 0;
  int delay = 0;
  {
    std::lock_guard lock(mutex_);
    twice = duplicates_;
    window = reorderWindowMs_;
    delay = webhookDelayMs_;
  }
  for (auto& outgoing : out) {
    if (outgoing.url.empty()) continue;
    const int jitter = delay + (window > 0 ? static_cast<int>(random() % static_cast<unsigned>(window)) : 0);
    after(std::chrono::milliseconds(jitter), [this, outgoing] { deliver(outgoing, 1); });
    // A redelivery: the same event id, attempt 2, signed anew.
    if (twice) after(std::chrono::milliseconds(jitter + 5), [this, outgoing] { deliver(outgoing, kMaxAttempts); });
  }
}

// --- Events ---------------------------------------------------------------------

FakeTelnyx::Out FakeTelnyx::eventLocked(const Leg& leg, const std::string& type, nlohmann::json extra) {
  nlohmann::json payload = {{"call_control_id", leg.callControlId},
                            {"call_leg_id", leg.legId},
                            {"call_session_id", leg.sessionId},
                            {"client_state", leg.clientState},
                            {"connection_id", options_.connectionId},
                            {"from", leg.from},
                            {"to", leg.to}};
  payload.update(extra);
  nlohmann::json envelope = {{"data",
                              {{"record_type", "event"},
                               {"event_type", type},
                               {"id", uuid()},
                               {"occurred_at", iso(nowMs())},
                               {"payload", payload}}}};
  return {{leg.webhookUrl, envelope}};
}

FakeTelnyx::Out FakeTelnyx::conferenceEventLocked(const Conference& conference, const std::string& type, const Leg* leg,
                                                  nlohmann::json extra) {
  nlohmann::json payload = {{"conference_id", conference.id}, {"connection_id", options_.connectionId}};
  if (leg != nullptr) {
    payload.update({{"call_control_id", leg->callControlId},
                    {"call_leg_id", leg->legId},
                    {"call_session_id", leg->sessionId},
                    {"client_state", leg->clientState}});
  }
  payload.update(extra);
  nlohmann::json data = {{"record_type", "event"}, {"event_type", type}, {"id", uuid()}, {"payload", payload}};
  if (type == "conference.created" || type == "conference.ended") {
    data["payload"]["occurred_at"] = iso(nowMs());  // in the payload for these two (reference §4.3)
  } else {
    data["occurred_at"] = iso(nowMs());
  }
  return {{conference.webhookUrl, {{"data", data}}}};
}

FakeTelnyx::Conference* FakeTelnyx::liveConferenceLocked(const std::string& idOrName) {
  for (auto& [id, conference] : conferences_) {
    if ((id == idOrName || conference.name == idOrName) && conference.status != "completed") return &conference;
  }
  return nullptr;
}

FakeTelnyx::Out FakeTelnyx::endConferenceLocked(Conference& conference, const std::string& reason) {
  Out out;
  conference.status = "completed";
  const auto remaining = conference.participants;
  conference.participants.clear();
  for (const auto& id : remaining) {
    Leg& leg = legs_[id];
    auto left = conferenceEventLocked(conference, "conference.participant.left", &leg);
    out.insert(out.end(), left.begin(), left.end());
    if (leg.state != "hangup") {
      leg.state = "hangup";
      auto ended = eventLocked(leg, "call.hangup",
                               {{"state", "hangup"},
                                {"hangup_cause", "normal_clearing"},
                                {"hangup_source", "unknown"},
                                {"sip_hangup_cause", "200"},
                                {"start_time", iso(leg.answeredMs)},
                                {"end_time", iso(nowMs())}});
      out.insert(out.end(), ended.begin(), ended.end());
    }
  }
  auto ended = conferenceEventLocked(conference, "conference.ended", nullptr, {{"reason", reason}});
  out.insert(out.end(), ended.begin(), ended.end());
  return out;
}

FakeTelnyx::Out FakeTelnyx::hangupLocked(Leg& leg, const std::string& cause, const std::string& source) {
  if (leg.state == "hangup") return {};
  const bool answered = leg.state == "answered";
  leg.state = "hangup";
  nlohmann::json extra = {{"state", "hangup"},
                          {"hangup_cause", cause},
                          {"hangup_source", source},
                          {"sip_hangup_cause", cause == "user_busy"   ? "486"
                                               : cause == "not_found" ? "404"
                                                                      : "200"}};
  if (answered) {
    extra["start_time"] = iso(leg.createdMs);  // when the call started, ringing included
    extra["end_time"] = iso(nowMs());
  }
  Out out = eventLocked(leg, "call.hangup", extra);
  if (Conference* conference = liveConferenceLocked(leg.conferenceId); conference != nullptr) {
    auto& ids = conference->participants;
    ids.erase(std::remove(ids.begin(), ids.end(), leg.callControlId), ids.end());
    auto left = conferenceEventLocked(*conference, "conference.participant.left", &leg);
    out.insert(out.end(), left.begin(), left.end());
    if (conference->endOnExit.count(leg.callControlId) != 0 || ids.empty()) {
      auto ended = endConferenceLocked(*conference, ids.empty() ? "all_left" : "host_left");
      out.insert(out.end(), ended.begin(), ended.end());
    }
  }
  return out;
}

void FakeTelnyx::progress(const std::string& id, const std::string& outcome) {
  Out out;
  {
    std::lock_guard lock(mutex_);
    Leg& leg = legs_[id];
    if (leg.state != "ringing") return;
    if (outcome == "answered" || outcome.rfind("hangup:", 0) == 0) {
      leg.state = "answered";
      leg.answeredMs = nowMs();
      leg.commandableAtMs = leg.answeredMs + earlyAnswerMs_;
      // At least the first command is early, however slow the host under
      // test is (a sanitizer build under load took longer than the window).
      leg.earlyCommandsLeft = earlyAnswerMs_ > 0 ? 1 : 0;
      out = eventLocked(leg, "call.answered", {{"state", "answered"}, {"start_time", iso(leg.answeredMs)}});
      if (outcome != "answered") {
        const int hangupAfter = std::stoi(outcome.substr(7));
        after(std::chrono::milliseconds(hangupAfter), [this, id] {
          Out ended;
          {
            std::lock_guard inner(mutex_);
            ended = hangupLocked(legs_[id], "normal_clearing", "callee");
          }
          dispatch(std::move(ended));
        });
      }
    } else {
      const std::string cause = outcome == "busy" ? "user_busy" : outcome == "no-answer" ? "timeout" : "not_found";
      out = hangupLocked(leg, cause, "callee");
    }
  }
  dispatch(std::move(out));
}

// --- The browser leg -------------------------------------------------------------

FakeTelnyx::BrowserLeg FakeTelnyx::connectBrowser(const std::string& loginToken, const std::string& clientState,
                                                  const std::string& destination) {
  BrowserLeg result;
  Out out;
  {
    std::lock_guard lock(mutex_);
    if (tokens_.count(loginToken) == 0) {
      result.error = "telnyx.error: login failed (the login token is not one Telnyx issued)";
      return result;
    }
    // Telnyx validates a credential leg's destination as it validates a
    // dial's `to`: parking comes after, so a bare name never reaches us.
    if (!dialable(destination)) {
      result.error = "telnyx.error: the destination " + destination + " is not valid (+E.164 or sip: URI)";
      return result;
    }
    Leg leg;
    leg.callControlId = "v3:" + base64Url(uuid());
    leg.legId = uuid();
    leg.sessionId = uuid();
    leg.from = "sip:gencredfake@sip.telnyx.com";
    leg.to = destination;
    leg.clientState = clientState.empty() ? nlohmann::json() : nlohmann::json(clientState);
    leg.webhookUrl = options_.credentialWebhookUrl;
    leg.state = "parked";
    leg.browser = true;
    leg.createdMs = nowMs();
    legs_[leg.callControlId] = leg;
    result.callControlId = leg.callControlId;
    out = eventLocked(leg, "call.initiated", {{"direction", "outgoing"}, {"state", "parked"}});
  }
  dispatch(std::move(out));
  return result;
}

void FakeTelnyx::hangUpBrowser(const std::string& callControlId) {
  Out out;
  {
    std::lock_guard lock(mutex_);
    auto it = legs_.find(callControlId);
    if (it == legs_.end()) return;
    out = hangupLocked(it->second, "normal_clearing", "caller");
  }
  dispatch(std::move(out));
}

// --- REST ---------------------------------------------------------------------------

void FakeTelnyx::serve(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
  const Poco::URI uri(in.getURI());
  const std::string method = in.getMethod();
  std::string path = uri.getPath();
  std::string raw;
  Poco::StreamCopier::copyToString(in.stream(), raw);
  {
    std::lock_guard lock(mutex_);
    requests_.emplace_back(method, path);
  }
  const std::optional<Fault> fault = server_.takeFault(method, path);
  auto send = [&out](const Reply& reply) {
    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    for (const auto& [name, value] : reply.headers) out.set(name, value);
    out.setContentType(reply.contentType);
    out.send() << reply.body;
  };
  if (fault && fault->kind == Fault::Kind::Reset) {
    FakeProviderServer::reset(in);
    return;
  }
  if (fault && fault->kind == Fault::Kind::Status) {
    send(error(fault->status, "10007", "Unexpected error", "the fake was told to fail"));
    return;
  }
  if (fault && fault->kind == Fault::Kind::RateLimit) {
    Reply limited =
        error(429, "10011", "Too many requests", "You have exceeded the maximum number of allowed requests.");
    limited.headers = {{"x-ratelimit-limit", "100"},
                       {"x-ratelimit-remaining", "0"},
                       {"x-ratelimit-reset", std::to_string(fault->retryAfterS)}};
    send(limited);
    return;
  }
  if (in.get("Authorization", "") != "Bearer " + options_.apiKey) {
    {
      std::lock_guard lock(mutex_);
      violations_.push_back(method + " " + path + ": Bearer API key missing or wrong");
    }
    send(error(401, "10009", "Authentication failed",
               "The required authentication headers were either invalid or not included in the request."));
    return;
  }
  if (path.rfind("/v2/", 0) != 0) {
    send(error(404, "10005", "Resource not found", path));
    return;
  }
  path = path.substr(3);
  nlohmann::json body;
  if (!raw.empty()) {
    body = nlohmann::json::parse(raw, nullptr, false);
    if (body.is_discarded() || in.getContentType().rfind("application/json", 0) != 0) {
      std::lock_guard lock(mutex_);
      violations_.push_back(method + " " + path + ": the body is not application/json");
      body = nlohmann::json::object();
    }
  }
  sdk::encoding::FormFields query = sdk::encoding::parseForm(uri.getRawQuery());
  const auto problems = spec_.checkJson(method, path, body, query);
  if (!problems.empty()) {
    std::string all;
    for (const auto& problem : problems) all += (all.empty() ? "" : "; ") + problem;
    {
      std::lock_guard lock(mutex_);
      violations_.push_back(method + " " + path + ": " + all);
    }
    send(error(422, "10004", "Invalid parameter", all));
    return;
  }
  Reply reply = route(method, path, body);
  if (fault && fault->kind == Fault::Kind::Slow) {
    server_.sleepUnlessStopping(std::chrono::milliseconds(fault->delayMs));
  }
  if (fault && fault->kind == Fault::Kind::ResetAfter) {
    FakeProviderServer::reset(in);  // carried out; the answer is lost
    return;
  }
  if (fault && fault->kind == Fault::Kind::FailAfter) {
    send(error(fault->status, "10007", "Unexpected error", "the fake was told to fail after carrying it out"));
    return;
  }
  send(reply);
}

FakeTelnyx::Reply FakeTelnyx::route(const std::string& method, const std::string& path, const nlohmann::json& body) {
  static const std::regex kCallAction(R"(/calls/([^/]+)/actions/([a-z_]+))");
  static const std::regex kCall(R"(/calls/([^/]+))");
  static const std::regex kConferenceAction(R"(/conferences/([^/]+)/actions/([a-z_]+))");
  static const std::regex kParticipants(R"(/conferences/([^/]+)/participants)");
  static const std::regex kToken(R"(/telephony_credentials/([^/]+)/token)");
  std::smatch m;
  // A command seen in the last minute is ignored: the first answer again.
  const std::string commandId = stringField(body, "command_id");
  if (!commandId.empty()) {
    std::lock_guard lock(mutex_);
    auto it = commandResults_.find(method + path + "#" + commandId);
    if (it != commandResults_.end()) return {200, it->second};
  }
  Reply reply;
  if (method == "POST" && path == "/calls") {
    reply = dial(body);
  } else if (method == "POST" && std::regex_match(path, m, kCallAction)) {
    reply = callAction(sdk::encoding::formDecode(m[1].str()), m[2], body);
  } else if (method == "GET" && std::regex_match(path, m, kCall)) {
    std::lock_guard lock(mutex_);
    auto it = legs_.find(sdk::encoding::formDecode(m[1].str()));
    if (it == legs_.end())
      return error(404, "90015", "Invalid Call Control ID", "The call_control_id provided was not valid.");
    const Leg& leg = it->second;
    reply = ok({{"record_type", "call"},
                {"call_control_id", leg.callControlId},
                {"call_leg_id", leg.legId},
                {"call_session_id", leg.sessionId},
                {"client_state", leg.clientState},
                {"is_alive", leg.state != "hangup"},
                {"call_duration", leg.answeredMs > 0 ? (nowMs() - leg.answeredMs) / 1000 : 0}});
  } else if (method == "POST" && path == "/conferences") {
    reply = createConference(body);
  } else if (method == "GET" && std::regex_match(path, m, kParticipants)) {
    reply = listParticipants(sdk::encoding::formDecode(m[1].str()));
  } else if (method == "POST" && std::regex_match(path, m, kConferenceAction)) {
    reply = conferenceAction(sdk::encoding::formDecode(m[1].str()), m[2], body);
  } else if (method == "POST" && std::regex_match(path, m, kToken)) {
    reply = mintToken(sdk::encoding::formDecode(m[1].str()));
  } else {
    reply = error(404, "10005", "Resource not found", path);
  }
  if (!commandId.empty() && reply.status == 200) {
    std::lock_guard lock(mutex_);
    commandResults_[method + path + "#" + commandId] = reply.body;
  }
  return reply;
}

FakeTelnyx::Reply FakeTelnyx::dial(const nlohmann::json& body) {
  const std::string to = stringField(body, "to");
  if (stringField(body, "connection_id") != options_.connectionId) {
    return error(422, "10015", "Invalid value for connection_id (Call Control App ID)",
                 "The requested connection_id (Call Control App ID) is either invalid or does not exist.");
  }
  const bool invalid = options_.outcomes.count(to) != 0 && options_.outcomes.at(to) == "invalid";
  if (invalid || !dialable(to)) {
    return error(422, "10016", "Phone number must be in +E164 format", "The 'to' number " + to + " is not valid.");
  }
  Leg leg;
  leg.callControlId = "v3:" + base64Url(uuid());
  leg.legId = uuid();
  leg.sessionId = uuid();
  leg.to = to;
  leg.from = stringField(body, "from");
  leg.clientState = body.contains("client_state") ? body["client_state"] : nlohmann::json();
  leg.webhookUrl = stringField(body, "webhook_url");
  leg.createdMs = nowMs();
  Out out;
  {
    std::lock_guard lock(mutex_);
    if (leg.webhookUrl.empty()) leg.webhookUrl = options_.applicationWebhookUrl;
    legs_[leg.callControlId] = leg;
    out = eventLocked(leg, "call.initiated", {{"direction", "outgoing"}, {"state", "bridging"}});
  }
  dispatch(std::move(out));
  const std::string outcome = options_.outcomes.count(to) ? options_.outcomes.at(to) : "answered";
  const int wait = outcome == "no-answer"                       ? options_.noAnswerMs
                   : (outcome == "busy" || outcome == "failed") ? options_.rejectMs
                                                                : options_.answerMs;
  const std::string id = leg.callControlId;
  after(std::chrono::milliseconds(wait), [this, id, outcome] { progress(id, outcome); });
  return ok({{"record_type", "call"},
             {"call_control_id", leg.callControlId},
             {"call_leg_id", leg.legId},
             {"call_session_id", leg.sessionId},
             {"is_alive", false}});
}

FakeTelnyx::Reply FakeTelnyx::callAction(const std::string& id, const std::string& action, const nlohmann::json& body) {
  Out out;
  {
    std::lock_guard lock(mutex_);
    auto it = legs_.find(id);
    if (it == legs_.end())
      return error(404, "90015", "Invalid Call Control ID", "The call_control_id provided was not valid.");
    Leg& leg = it->second;
    if (leg.state == "hangup") {
      return error(422, "90018", "Call has already ended", "This call is no longer active and can't receive commands.");
    }
    if (action == "answer") {
      if (leg.state != "parked") return error(422, "90033", "Unable to execute command", "the call is not parked");
      leg.state = "answered";
      leg.answeredMs = nowMs();
      if (body.contains("client_state")) leg.clientState = body["client_state"];
      out = eventLocked(leg, "call.answered", {{"state", "answered"}, {"start_time", iso(leg.answeredMs)}});
    } else if (action == "hangup") {
      out = hangupLocked(leg, "normal_clearing", "caller");
    } else {
      return error(422, "90033", "Unable to execute command", "the fake does not do '" + action + "'");
    }
  }
  dispatch(std::move(out));
  return ok({{"result", "ok"}});
}

bool FakeTelnyx::refusesCommandLocked(Leg& leg) {
  const bool early = leg.earlyCommandsLeft > 0 || nowMs() < leg.commandableAtMs;
  if (leg.state != "answered" || early) {
    if (leg.earlyCommandsLeft > 0) --leg.earlyCommandsLeft;
    ++notAnswered_;
    return true;
  }
  return false;
}

FakeTelnyx::Reply FakeTelnyx::createConference(const nlohmann::json& body) {
  Out out;
  Conference created;
  {
    std::lock_guard lock(mutex_);
    auto it = legs_.find(stringField(body, "call_control_id"));
    if (it == legs_.end())
      return error(422, "90015", "Invalid Call Control ID", "The call_control_id provided was not valid.");
    Leg& leg = it->second;
    if (leg.state == "hangup") return error(422, "90018", "Call has already ended", "This call is no longer active.");
    if (refusesCommandLocked(leg)) {
      return error(422, "90034", "Call not answered yet",
                   "This call can't receive this command because it has not been answered yet.");
    }
    if (liveConferenceLocked(stringField(body, "name")) != nullptr) {
      return error(422, "90033", "Unable to execute command",
                   "Conference with given name already exists and it's active.");
    }
    created.id = uuid();
    created.name = stringField(body, "name");
    created.webhookUrl = leg.webhookUrl;
    created.createdMs = nowMs();
    created.participants.push_back(leg.callControlId);
    leg.conferenceId = created.id;
    conferences_[created.id] = created;
    out = conferenceEventLocked(created, "conference.created", &leg);
    auto joined = conferenceEventLocked(created, "conference.participant.joined", &leg);
    out.insert(out.end(), joined.begin(), joined.end());
  }
  dispatch(std::move(out));
  return ok({{"record_type", "conference"},
             {"id", created.id},
             {"name", created.name},
             {"status", "in_progress"},
             {"connection_id", options_.connectionId},
             {"region", "ch1"},
             {"created_at", iso(created.createdMs)},
             {"updated_at", iso(created.createdMs)},
             {"expires_at", iso(created.createdMs + 4 * 3600 * 1000)}});
}

FakeTelnyx::Reply FakeTelnyx::conferenceAction(const std::string& idOrName, const std::string& action,
                                               const nlohmann::json& body) {
  Out out;
  {
    std::lock_guard lock(mutex_);
    Conference* conference = liveConferenceLocked(idOrName);
    if (conference == nullptr) {
      const bool known = conferences_.count(idOrName) != 0 ||
                         std::any_of(conferences_.begin(), conferences_.end(),
                                     [&](const auto& entry) { return entry.second.name == idOrName; });
      return known ? error(422, "90019", "Conference has already ended", "")
                   : error(404, "90058", "Invalid conference_id", "The conference does not exist.");
    }
    if (action == "join") {
      auto it = legs_.find(stringField(body, "call_control_id"));
      if (it == legs_.end()) return error(422, "90015", "Invalid Call Control ID", "");
      Leg& leg = it->second;
      if (leg.state == "hangup") return error(422, "90018", "Call has already ended", "");
      if (refusesCommandLocked(leg)) {
        return error(422, "90034", "Call not answered yet", "");
      }
      if (std::find(conference->participants.begin(), conference->participants.end(), leg.callControlId) !=
          conference->participants.end()) {
        return error(422, "90033", "Unable to execute command", "the call is already in the conference");
      }
      if (body.contains("client_state")) leg.clientState = body["client_state"];
      leg.conferenceId = conference->id;
      conference->participants.push_back(leg.callControlId);
      if (body.value("end_conference_on_exit", false)) conference->endOnExit.insert(leg.callControlId);
      out = conferenceEventLocked(*conference, "conference.participant.joined", &leg);
    } else if (action == "mute" || action == "unmute" || action == "hold" || action == "unhold") {
      const nlohmann::json ids = body.value("call_control_ids", nlohmann::json::array());
      std::set<std::string>& set = (action == "mute" || action == "unmute") ? conference->muted : conference->held;
      for (const auto& id : ids) {
        const std::string leg = id.get<std::string>();
        if (std::find(conference->participants.begin(), conference->participants.end(), leg) ==
            conference->participants.end()) {
          return error(422, "90033", "Unable to execute command", leg + " is not in the conference");
        }
        if (action == "mute" || action == "hold") {
          set.insert(leg);
        } else {
          set.erase(leg);
        }
      }
    } else if (action == "end") {
      out = endConferenceLocked(*conference, "host_left");
    } else {
      return error(422, "90033", "Unable to execute command", "the fake does not do '" + action + "'");
    }
  }
  dispatch(std::move(out));
  return ok({{"result", "ok"}});
}

FakeTelnyx::Reply FakeTelnyx::listParticipants(const std::string& conferenceId) {
  std::lock_guard lock(mutex_);
  auto it = conferences_.find(conferenceId);
  if (it == conferences_.end()) {
    return error(404, "90058", "Invalid conference_id", "The conference does not exist.");
  }
  const Conference& conference = it->second;
  nlohmann::json data = nlohmann::json::array();
  for (const auto& id : conference.participants) {
    const Leg& leg = legs_[id];
    data.push_back({{"record_type", "participant"},
                    {"id", leg.legId},
                    {"call_control_id", leg.callControlId},
                    {"call_leg_id", leg.legId},
                    {"conference", {{"id", conference.id}, {"name", conference.name}}},
                    {"muted", conference.muted.count(id) != 0},
                    {"on_hold", conference.held.count(id) != 0},
                    {"status", "joined"},
                    {"end_conference_on_exit", conference.endOnExit.count(id) != 0},
                    {"created_at", iso(conference.createdMs)},
                    {"updated_at", iso(nowMs())}});
  }
  const nlohmann::json meta = {
      {"page_number", 1}, {"page_size", 20}, {"total_pages", 1}, {"total_results", data.size()}};
  return {200, nlohmann::json{{"data", data}, {"meta", meta}}.dump()};
}

FakeTelnyx::Reply FakeTelnyx::mintToken(const std::string& credentialId) {
  if (credentialId != options_.credentialId) return error(404, "10005", "Resource not found", "no such credential");
  const int64_t now = nowMs() / 1000;
  const std::string header = base64Url(R"({"alg":"HS512","typ":"JWT"})");
  const std::string claims = base64Url(nlohmann::json{
      {"aud", "telnyx_telephony"},
      {"iss", "telnyx_telephony"},
      {"sub", credentialId},
      {"tel_token", uuid()},
      {"typ", "access"},
      {"iat", now},
      {"nbf", now - 1},
      {"exp", now + 86400},
      {"jti", uuid()}}.dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const std::string secret = "fake-telnyx-token-secret";
  const std::string signedPart = header + "." + claims;
  HMAC(EVP_sha512(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signedPart.data()), signedPart.size(), mac, &size);
  const std::string token = signedPart + "." + base64Url(std::string(reinterpret_cast<char*>(mac), size));
  {
    std::lock_guard lock(mutex_);
    tokens_.insert(token);
  }
  return {201, token, "text/plain"};
}

// --- Knobs and observation ------------------------------------------------------------

void FakeTelnyx::inject(const Fault& fault) {
  server_.inject(fault);
}

void FakeTelnyx::setDuplicateWebhooks(bool on) {
  std::lock_guard lock(mutex_);
  duplicates_ = on;
}

void FakeTelnyx::setWebhookDelayMs(int ms) {
  std::lock_guard lock(mutex_);
  webhookDelayMs_ = ms;
}

void FakeTelnyx::setEarlyAnswerMs(int ms) {
  std::lock_guard lock(mutex_);
  earlyAnswerMs_ = ms;
}

size_t FakeTelnyx::notAnsweredRefusals() {
  std::lock_guard lock(mutex_);
  return notAnswered_;
}

void FakeTelnyx::setReorderWindowMs(int ms) {
  std::lock_guard lock(mutex_);
  reorderWindowMs_ = ms;
}

size_t FakeTelnyx::count(const std::string& method, const std::string& pathContains) {
  std::lock_guard lock(mutex_);
  return static_cast<size_t>(std::count_if(requests_.begin(), requests_.end(), [&](const auto& request) {
    return request.first == method && request.second.find(pathContains) != std::string::npos;
  }));
}

std::vector<std::string> FakeTelnyx::violations() {
  std::lock_guard lock(mutex_);
  return violations_;
}

std::vector<std::string> FakeTelnyx::rejectedWebhooks() {
  std::lock_guard lock(mutex_);
  return rejected_;
}

std::optional<std::string> FakeTelnyx::legState(const std::string& callControlId) {
  std::lock_guard lock(mutex_);
  auto it = legs_.find(callControlId);
  return it == legs_.end() ? std::nullopt : std::optional<std::string>(it->second.state);
}

std::vector<std::string> FakeTelnyx::legsTo(const std::string& to) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, leg] : legs_) {
    if (leg.to == to && !leg.browser) ids.push_back(id);
  }
  return ids;
}

std::vector<std::string> FakeTelnyx::browserDestinations() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> destinations;
  for (const auto& [id, leg] : legs_) {
    if (leg.browser) destinations.push_back(leg.to);
  }
  return destinations;
}

std::optional<std::string> FakeTelnyx::conferenceStatus(const std::string& name) {
  std::lock_guard lock(mutex_);
  std::optional<std::string> status;
  for (const auto& [id, conference] : conferences_) {
    if (conference.name == name && (!status || conference.status != "completed")) status = conference.status;
  }
  return status;
}

size_t FakeTelnyx::conferencesNamed(const std::string& name) {
  std::lock_guard lock(mutex_);
  return static_cast<size_t>(std::count_if(conferences_.begin(), conferences_.end(),
                                           [&](const auto& entry) { return entry.second.name == name; }));
}

size_t FakeTelnyx::participantsOf(const std::string& name) {
  std::lock_guard lock(mutex_);
  Conference* conference = liveConferenceLocked(name);
  return conference == nullptr ? 0 : conference->participants.size();
}

bool FakeTelnyx::participantMuted(const std::string& name, const std::string& callControlId) {
  std::lock_guard lock(mutex_);
  Conference* conference = liveConferenceLocked(name);
  return conference != nullptr && conference->muted.count(callControlId) != 0;
}

bool FakeTelnyx::participantHeld(const std::string& name, const std::string& callControlId) {
  std::lock_guard lock(mutex_);
  Conference* conference = liveConferenceLocked(name);
  return conference != nullptr && conference->held.count(callControlId) != 0;
}

}  // namespace sb::test

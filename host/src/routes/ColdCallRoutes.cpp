#include "routes/ColdCallRoutes.h"

#include "http/ApiError.h"
#include "http/RequestFields.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/text/Time.h>

#include <algorithm>
#include <regex>

namespace sb::host {
namespace {

constexpr int kUnprocessable = 422;

std::string iso(int64_t ms) {
  return core::formatUtc(ms / 1000);
}

nlohmann::json isoOrNull(const std::optional<int64_t>& ms) {
  return ms ? nlohmann::json(iso(*ms)) : nlohmann::json(nullptr);
}

nlohmann::json nullIfEmpty(const std::string& value) {
  return value.empty() ? nlohmann::json(nullptr) : nlohmann::json(value);
}

ApiError invalidPhone(const std::string& phone) {
  return ApiError(400, "INVALID_PHONE_FORMAT", "phone number '" + phone + "' is not in E.164 format",
                  {{"phone", phone}, {"expected_format", "+[country_code][number]"}, {"example", "+15551234567"}});
}

/// Translates core errors into the cold-call contract's codes; `providerCode`
/// is the code for a provider failure on this route.
template <typename Fn>
ApiResponse contract(const char* providerCode, Fn&& body) {
  try {
    return body();
  } catch (const core::DomainError& e) {
    // Core names what the error is about; this contract has its own words.
    using Kind = core::DomainError::Kind;
    using Subject = core::DomainError::Subject;
    const auto& details = e.details();
    const std::string callId = details.value("call_id", "");
    if (e.kind() == Kind::NotFound && e.subject() == Subject::Participant) {
      throw ApiError(404, "PARTICIPANT_NOT_FOUND", e.what(),
                     {{"participant_sid", details.value("participant", "")}, {"conference_sid", callId}});
    }
    if (e.kind() == Kind::NotFound && e.subject() == Subject::Call) {
      nlohmann::json mapped = {{"conference_sid", callId}};
      if (details.contains("status")) {
        mapped["status"] = details["status"];
      }
      throw ApiError(404, "CONFERENCE_NOT_FOUND", e.what(), mapped);
    }
    if (e.kind() == Kind::Validation && e.subject() == Subject::PhoneNumber) {
      throw invalidPhone(details.value("phone", ""));
    }
    throw;
  } catch (const core::ProviderError& e) {
    const auto status = e.status();
    if (status == sdk::Status::InvalidPhone || status == sdk::Status::RateLimited ||
        status == sdk::Status::Unavailable) {
      throw;  // INVALID_PHONE_FORMAT, RATE_LIMITED, 503 PROVIDER_ERROR from the mapper
    }
    nlohmann::json details = {
        {"provider", e.provider()}, {"provider_error", e.what()}, {"status", std::string(sdk::statusName(status))}};
    if (!e.providerCode().empty()) {
      details["provider_code"] = e.providerCode();
    }
    throw ApiError(500, providerCode, e.what(), details);
  }
}

/// The provider a request names must be the active one.
void checkProvider(HostContext& context, const nlohmann::json& body) {
  auto named = optionalString(body, "provider", kUnprocessable);
  const core::ProviderProxy* active = context.provider();
  const std::string activeId = active != nullptr ? active->id() : context.settings().getString("provider", "sim");
  if (!named || named->empty()) {
    return;
  }
  std::string name = *named;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (name == activeId) {
    return;
  }
  // Known: a provider plugin installed here (loaded, or found and not asked for).
  bool known = false;
  for (const auto& plugin : context.plugins().loaded) {
    known = known || plugin->id() == name;
  }
  for (const auto& manifest : context.plugins().found) {
    known = known || manifest.id == name;
  }
  const nlohmann::json details = {{"provider", *named}, {"supported_providers", {activeId}}};
  if (known) {
    throw ApiError(501, "PROVIDER_NOT_IMPLEMENTED",
                   "provider '" + name + "' is not the active provider of this host (it runs '" + activeId + "')",
                   details);
  }
  throw ApiError(400, "PROVIDER_NOT_SUPPORTED", "unknown provider '" + *named + "'", details);
}

nlohmann::json participantsOf(const core::CallRecord& call) {
  nlohmann::json list = nlohmann::json::array();
  if (!call.ended() && call.status == core::call_status::kInProgress) {
    list.push_back({{"participant_sid", call.participantId(sdk::leg::kContact)},
                    {"call_sid", call.providerCallId},
                    {"provider_participant_id", nullIfEmpty(call.providerCallId)},
                    {"role", "contact"},
                    {"muted", call.contactMuted},
                    {"hold", call.contactHeld},
                    {"start_time", isoOrNull(call.answeredAt)}});
  }
  if (!call.ended() && call.agentState == core::agent_state::kConnected) {
    list.push_back({{"participant_sid", call.participantId(sdk::leg::kAgent)},
                    {"call_sid", nullptr},
                    {"provider_participant_id", nullIfEmpty(call.agentLegId)},
                    {"role", "agent"},
                    {"muted", call.agentMuted},
                    {"hold", call.agentHeld},
                    {"start_time", isoOrNull(call.agentJoinedAt)}});
  }
  return list;
}

nlohmann::json statusOf(const core::CallRecord& call, int64_t nowMs) {
  const nlohmann::json participants = participantsOf(call);
  std::string status = "init";
  if (call.ended()) {
    status = "completed";
  } else if (!participants.empty() || call.conferenceState == "in-progress") {
    status = "in-progress";
  }
  const std::optional<int64_t> started = call.conferenceStartedAt ? call.conferenceStartedAt : call.answeredAt;
  const int64_t durationMs = started ? std::max<int64_t>(0, call.endedAt.value_or(nowMs) - *started) : 0;
  return {{"conference_sid", call.id},
          {"conference_id", call.conferenceName},
          {"provider_conference_id", nullIfEmpty(call.conferenceId)},
          {"status", status},
          {"participant_count", participants.size()},
          {"duration", durationMs / 1000},
          {"created_at", iso(call.createdAt)},
          {"started_at", isoOrNull(started)},
          {"ended_at", isoOrNull(call.endedAt)},
          {"participants", participants},
          {"call_id", call.id},
          {"call_status", call.status},
          {"agent_state", call.agentState},
          {"result", nullIfEmpty(call.result)},
          {"provider", call.provider}};
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The call a cold-call request names, once the caller may act on it.
std::string ownCall(HostContext& context, const ApiRequest& request, const std::string& reference) {
  const core::CallRecord call = context.calls().queries().get(reference);
  requireOwnCall(request, call.agentId, reference);
  return call.id;
}

/// The conference reference of a control or end request: the body's
/// conference_sid (the original contract), or a query parameter.
std::string conferenceRef(const ApiRequest& request, const nlohmann::json& body) {
  if (auto value = optionalString(body, "conference_sid", kUnprocessable); value && !value->empty()) {
    return *value;
  }
  if (auto value = request.queryParam("conference_sid"); value && !value->empty()) {
    return *value;
  }
  throw ApiError(kUnprocessable, "VALIDATION_ERROR", "conference_sid is required", {{"field", "conference_sid"}});
}

ApiResponse initiate(HostContext& context, const ApiRequest& request) {
  return contract("PROVIDER_ERROR", [&] {
    const nlohmann::json body = request.jsonBody();
    checkProvider(context, body);
    const auto to = optionalString(body, "to_phone", kUnprocessable);
    const auto contactId = optionalInt(body, "contact_id", kUnprocessable);
    if (!to && !contactId) {
      throw ApiError(kUnprocessable, "VALIDATION_ERROR", "to_phone is required", {{"field", "to_phone"}});
    }
    if (to && to->empty() && !contactId) {
      throw invalidPhone("");  // the original API: an empty number is a malformed one (product §3b)
    }
    static const std::regex kE164(R"(\+[1-9]\d{1,14})");
    if (to && !to->empty() && !std::regex_match(*to, kE164)) {
      throw invalidPhone(*to);
    }
    const auto from = optionalString(body, "from_phone", kUnprocessable);
    if (from && !from->empty() && !std::regex_match(*from, kE164)) {
      throw invalidPhone(*from);
    }
    core::StartCallCommand command;
    command.to = to.value_or("");
    command.from = from.value_or("");
    command.contactId = contactId;
    const AgentOfCall agent = agentFor(request, body);
    command.agentId = agent.id;
    command.agentNamed = agent.named;
    const core::CallRecord call = context.calls().commands().start(command);
    return ApiResponse::json(201, {{"conference_sid", call.id},
                                   {"conference_id", call.conferenceName},
                                   {"call_sid", call.providerCallId},
                                   {"access_token", nullptr},
                                   {"status", "initiated"},
                                   {"provider", call.provider},
                                   {"created_at", iso(call.createdAt)},
                                   {"call_id", call.id},
                                   {"provider_conference_id", nullIfEmpty(call.conferenceId)},
                                   {"from_phone", call.fromE164},
                                   {"agent_id", call.agentId}});
  });
}

ApiResponse webrtcJoin(HostContext& context, const ApiRequest& request) {
  return contract("WEBRTC_ERROR", [&] {
    const nlohmann::json body = request.jsonBody();
    checkProvider(context, body);
    const std::string conference = requiredString(body, "conference_id", kUnprocessable);
    const std::string client = requiredString(body, "client_id", kUnprocessable);
    static const std::regex kClient(R"([A-Za-z0-9._@:+-]{1,121})");
    if (!std::regex_match(client, kClient)) {
      throw ApiError::validation("client_id must be 1-121 letters, digits or ._@:+-", {{"field", "client_id"}});
    }
    const core::JoinResult joined = context.calls().commands().join(ownCall(context, request, conference), client);
    const core::CallRecord& call = joined.call;
    nlohmann::json ice = nlohmann::json::array();
    if (auto it = joined.credential.sdk.find("ice_servers"); it != joined.credential.sdk.end() && it->is_array()) {
      ice = *it;
    } else {
      for (const auto& url : context.callIceServers()) {
        ice.push_back({{"urls", url}});
      }
    }
    return ApiResponse::json(200, {{"participant_sid", call.participantId(sdk::leg::kAgent)},
                                   {"access_token", joined.credential.token},
                                   {"conference_name", call.conferenceName},
                                   {"conference_id", call.id},
                                   {"status", "credentials_ready"},
                                   {"ice_servers", ice},
                                   {"call_id", call.id},
                                   {"session_id", call.sessionId},
                                   {"provider", call.provider},
                                   {"credential", joined.credential.toJson()}});
  });
}

ApiResponse controlMute(HostContext& context, const ApiRequest& request) {
  return contract("CONTROL_ERROR", [&] {
    const nlohmann::json body = request.jsonBody();
    const std::string conference = conferenceRef(request, body);
    const std::string participant = requiredString(body, "participant_sid", kUnprocessable);
    const std::string action = requiredString(body, "action", kUnprocessable);
    const auto value = optionalBool(body, "value");
    std::optional<bool> muted;
    std::optional<bool> held;
    if (action == "mute" || action == "unmute") {
      muted = value.value_or(action == "mute");
    } else if (action == "hold" || action == "unhold" || action == "resume") {
      held = value.value_or(action == "hold");
    } else {
      throw ApiError::validation("action must be mute, unmute, hold or unhold",
                                 {{"field", "action"}, {"allowed", {"mute", "unmute", "hold", "unhold"}}});
    }
    const core::ControlResult done =
        context.calls().commands().control(ownCall(context, request, conference), participant, muted, held);
    nlohmann::json reply = {{"success", true},
                            {"conference_sid", done.call.id},
                            {"participant_sid", done.participantId},
                            {"muted", done.muted},
                            {"hold", done.held},
                            {"leg", done.leg}};
    if (muted) {
      reply["message"] = std::string("Participant ") + (done.muted ? "muted" : "unmuted") + " successfully";
    } else {
      reply["message"] = std::string("Participant ") + (done.held ? "put on hold" : "resumed") + " successfully";
    }
    return ApiResponse::json(200, reply);
  });
}

ApiResponse controlHold(HostContext& context, const ApiRequest& request) {
  return contract("CONTROL_ERROR", [&] {
    const nlohmann::json body = request.jsonBody();
    const std::string conference = conferenceRef(request, body);
    const std::string participant = optionalString(body, "participant_sid", kUnprocessable).value_or("contact");
    const std::string action = optionalString(body, "action", kUnprocessable).value_or("hold");
    const auto value = optionalBool(body, "value");
    if (action != "hold" && action != "unhold" && action != "resume") {
      throw ApiError::validation("action must be hold, unhold or resume",
                                 {{"field", "action"}, {"allowed", {"hold", "unhold", "resume"}}});
    }
    const bool held = value.value_or(action == "hold");
    const core::ControlResult done =
        context.calls().commands().control(ownCall(context, request, conference), participant, std::nullopt, held);
    return ApiResponse::json(
        200, {{"success", true},
              {"conference_sid", done.call.id},
              {"participant_sid", done.participantId},
              {"hold", done.held},
              {"muted", done.muted},
              {"leg", done.leg},
              {"message", std::string("Participant ") + (done.held ? "put on hold" : "resumed") + " successfully"}});
  });
}

ApiResponse endCall(HostContext& context, const ApiRequest& request) {
  return contract("PROVIDER_ERROR", [&] {
    const nlohmann::json body = request.jsonBodyOrEmpty();
    const std::string reference = conferenceRef(request, body);
    const core::EndResult ended = context.calls().commands().end(ownCall(context, request, reference));
    const core::CallRecord& call = ended.call;
    return ApiResponse::json(
        200, {{"success", true},
              {"conference_sid", call.id},
              {"status", "completed"},
              {"message", ended.alreadyEnded ? "Conference had already ended" : "Conference ended successfully"},
              {"ended_at", isoOrNull(call.endedAt)},
              {"already_ended", ended.alreadyEnded},
              {"call_status", call.status},
              {"result", nullIfEmpty(call.result)}});
  });
}

ApiResponse status(HostContext& context, const ApiRequest& request) {
  return contract("PROVIDER_ERROR", [&] {
    const core::CallRecord call = context.calls().queries().get(request.params.at("id"));
    requireVisibleCall(request, call.agentId, request.params.at("id"));
    return ApiResponse::json(200, statusOf(call, nowMs()));
  });
}

}  // namespace

void addColdCallRoutes(Router& router, HostContext& context) {
  std::string prefix = context.settings().getString("coldcall.prefix", "/api/v1/cold-call");
  while (!prefix.empty() && prefix.back() == '/') {
    prefix.pop_back();
  }
  if (prefix.empty() || prefix.front() != '/') {
    throw core::ConfigError("coldcall.prefix must start with '/', got '" + prefix + "'");
  }
  auto bind = [&context](ApiResponse (*fn)(HostContext&, const ApiRequest&)) {
    return [&context, fn](const ApiRequest& request) { return fn(context, request); };
  };
  // Per-key limits per minute from the original design (section 3.4).
  router.add({"POST", prefix + "/initiate", "coldcall.initiate", Access::Agent, 10, 0, bind(initiate)});
  router.add({"POST", prefix + "/webrtc-join", "coldcall.webrtc_join", Access::Agent, 20, 0, bind(webrtcJoin)});
  router.add({"POST", prefix + "/control/mute", "coldcall.mute", Access::Agent, 30, 0, bind(controlMute)});
  router.add({"POST", prefix + "/control/hold", "coldcall.hold", Access::Agent, 30, 0, bind(controlHold)});
  router.add({"POST", prefix + "/end", "coldcall.end", Access::Agent, 20, 0, bind(endCall)});
  router.add({"GET", prefix + "/status/{id}", "coldcall.status", Access::Agent, 60, 0, bind(status)});
}

}  // namespace sb::host

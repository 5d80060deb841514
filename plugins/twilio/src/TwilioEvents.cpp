#include "TwilioEvents.h"

#include <switchboard/sdk/civil_time.hpp>

#include <array>
#include <cctype>

namespace sb::twilio {
namespace {

std::string field(const sdk::encoding::FormFields& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

std::optional<int64_t> number(const std::string& text) {
  if (text.empty() || text.size() > 18) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

/// Common fields of every event of one callback.
sdk::CallEvent baseEvent(const sdk::encoding::FormFields& params, const std::string& callId, int64_t receivedAtMs) {
  sdk::CallEvent event;
  event.callId = callId;
  // Twilio stamps whole seconds: the event happened at most 999 ms after
  // the stamp. Taking the end of that second makes a provider event win
  // over a host event of the same second (our "agent connecting" must not
  // outrank Twilio's "agent joined" that followed it), while events of one
  // second still order among themselves by SequenceNumber.
  const auto stamped = parseRfc2822(field(params, "Timestamp"));
  event.occurredAtMs = stamped ? *stamped + 999 : receivedAtMs;
  event.sequence = number(field(params, "SequenceNumber"));
  return event;
}

bool isTrue(const std::string& value) {
  return value == "true" || value == "True";
}

}  // namespace

std::optional<int64_t> parseRfc2822(std::string_view text) {
  // "Sun, 25 Mar 2018 09:53:19 +0000"
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto comma = text.find(", ");
  if (comma != std::string_view::npos) {
    text = text.substr(comma + 2);
  }
  std::vector<std::string> parts;
  std::string current;
  for (const char c : text) {
    if (c == ' ') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(current);
  if (parts.size() != 5 || parts[3].size() != 8 || parts[4].size() != 5) {
    return std::nullopt;
  }
  int64_t month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (parts[1] == kMonths[i]) month = static_cast<int64_t>(i) + 1;
  }
  const auto day = number(parts[0]);
  const auto year = number(parts[2]);
  const auto hours = number(parts[3].substr(0, 2));
  const auto minutes = number(parts[3].substr(3, 2));
  const auto seconds = number(parts[3].substr(6, 2));
  const auto offsetHours = number(parts[4].substr(1, 2));
  const auto offsetMinutes = number(parts[4].substr(3, 2));
  if (month == 0 || !day || !year || !hours || !minutes || !seconds || !offsetHours || !offsetMinutes ||
      (parts[4][0] != '+' && parts[4][0] != '-') || *day < 1 || *day > 31) {
    return std::nullopt;
  }
  // (Not named "unix": GNU dialects predefine that macro.)
  const int64_t local = sdk::daysFromCivil(*year, month, *day) * 86400 + *hours * 3600 + *minutes * 60 + *seconds;
  const int64_t offset = (*offsetHours * 3600 + *offsetMinutes * 60) * (parts[4][0] == '-' ? -1 : 1);
  return (local - offset) * 1000;
}

std::vector<sdk::CallEvent> callProgressEvents(const sdk::encoding::FormFields& params, const std::string& callId,
                                               const std::string& leg, int64_t receivedAtMs) {
  const std::string status = field(params, "CallStatus");
  const std::string callSid = field(params, "CallSid");
  sdk::CallEvent event = baseEvent(params, callId, receivedAtMs);
  event.leg = leg;
  event.providerCallId = callSid;
  // Redeliveries of one callback carry the same CallSid, SequenceNumber
  // and CallStatus.
  event.eventKey = "call:" + callSid + ":" + field(params, "SequenceNumber") + ":" + status;
  if (status == "ringing") {
    event.type = sdk::event::kLegRinging;
  } else if (status == "in-progress") {
    event.type = leg == sdk::leg::kAgent ? sdk::event::kAgentJoined : sdk::event::kLegAnswered;
  } else if (status == "completed" || status == "busy" || status == "failed" || status == "no-answer" ||
             status == "canceled") {
    event.type = leg == sdk::leg::kAgent ? sdk::event::kAgentLeft : sdk::event::kLegEnded;
    event.cause = status;
    event.durationS = number(field(params, "CallDuration"));
  } else {
    return {};  // queued, initiated: nothing the host tracks
  }
  return {event};
}

std::vector<sdk::CallEvent> conferenceEvents(const sdk::encoding::FormFields& params, const std::string& callId,
                                             int64_t receivedAtMs) {
  const std::string what = field(params, "StatusCallbackEvent");
  const std::string label = field(params, "ParticipantLabel");
  const std::string leg = label == sdk::leg::kAgent     ? sdk::leg::kAgent
                          : label == sdk::leg::kContact ? sdk::leg::kContact
                                                        : std::string();
  sdk::CallEvent event = baseEvent(params, callId, receivedAtMs);
  event.conferenceId = field(params, "ConferenceSid");
  event.providerCallId = field(params, "CallSid");
  event.leg = leg;
  event.eventKey =
      "conf:" + event.conferenceId + ":" + field(params, "SequenceNumber") + ":" + what + ":" + event.providerCallId;
  if (what == "conference-start") {
    event.type = sdk::event::kConferenceStarted;
    event.leg.clear();
  } else if (what == "conference-end") {
    event.type = sdk::event::kConferenceEnded;
    event.leg.clear();
  } else if (what == "participant-join" && leg == sdk::leg::kAgent) {
    event.type = sdk::event::kAgentJoined;
  } else if (what == "participant-leave" && leg == sdk::leg::kAgent) {
    event.type = sdk::event::kAgentLeft;
  } else if ((what == "participant-mute" || what == "participant-unmute") && !leg.empty()) {
    event.type = sdk::event::kParticipantMuted;
    event.muted = what == "participant-mute";
  } else if ((what == "participant-hold" || what == "participant-unhold") && !leg.empty()) {
    event.type = sdk::event::kParticipantHeld;
    event.held = what == "participant-hold";
  } else {
    // The contact's join and leave are told by its own call-progress
    // callbacks; the rest (speech, announcements) the host does not track.
    return {};
  }
  if (event.type == sdk::event::kParticipantMuted || event.type == sdk::event::kParticipantHeld) {
    // A mute or hold is the host's own command, recorded from Twilio's
    // answer. Its callback can come after the host's next command on the
    // same participant (mute, then unmute within the second): taken at the
    // end of its second it would outrank that command and show the earlier
    // state. At the start of its second a late callback cannot; callbacks
    // still order among themselves by SequenceNumber.
    if (const auto stamped = parseRfc2822(field(params, "Timestamp"))) {
      event.occurredAtMs = *stamped;
    }
  }
  if (auto muted = field(params, "Muted"); event.type == sdk::event::kParticipantMuted && !muted.empty()) {
    event.muted = isTrue(muted);
  }
  if (auto hold = field(params, "Hold"); event.type == sdk::event::kParticipantHeld && !hold.empty()) {
    event.held = isTrue(hold);
  }
  return {event};
}

}  // namespace sb::twilio

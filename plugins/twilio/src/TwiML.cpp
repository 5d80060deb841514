#include "TwiML.h"

namespace sb::twilio {
const char* boolText(bool value) {
  return value ? "true" : "false";
}

std::string xmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string conferenceTwiml(const ConferenceTwiml& spec) {
  std::string attributes;
  auto add = [&attributes](const char* name, const std::string& value) {
    attributes += std::string(" ") + name + "=\"" + xmlEscape(value) + "\"";
  };
  add("beep", boolText(spec.beep));
  add("endConferenceOnExit", boolText(spec.endConferenceOnExit));
  if (!spec.participantLabel.empty()) {
    add("participantLabel", spec.participantLabel);
  }
  add("startConferenceOnEnter", boolText(spec.startConferenceOnEnter));
  if (!spec.statusCallback.empty()) {
    add("statusCallback", spec.statusCallback);
    add("statusCallbackEvent", spec.statusCallbackEvent);
  }
  add("waitUrl", spec.waitUrl);
  return R"(<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Conference)" + attributes + ">" +
         xmlEscape(spec.conferenceName) + "</Conference></Dial></Response>";
}

std::string rejectTwiml() {
  return R"(<?xml version="1.0" encoding="UTF-8"?><Response><Reject/></Response>)";
}

std::string hangupTwiml() {
  return R"(<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>)";
}

std::string emptyTwiml() {
  return R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)";
}

}  // namespace sb::twilio

#pragma once

// The TwiML that puts a leg into the call's conference (reference section
// 2). Attributes are written in a fixed (alphabetical) order; the room name
// is our conference's friendly name, which carries no personal data.

#include <string>

namespace sb::twilio {

struct ConferenceTwiml {
  std::string conferenceName;
  std::string participantLabel;     ///< "agent" or "contact"
  bool endConferenceOnExit = true;  ///< nobody is left alone in the bridge
  bool startConferenceOnEnter = true;
  bool beep = false;
  std::string waitUrl;         ///< "" = silence while waiting
  std::string statusCallback;  ///< conference events; empty for none
  std::string statusCallbackEvent = "start end join leave mute hold";
};

std::string conferenceTwiml(const ConferenceTwiml& spec);

/// <Response><Reject/></Response>: refuses a voice request we cannot place.
std::string rejectTwiml();

/// <Response><Hangup/></Response>: ends a call we no longer want.
std::string hangupTwiml();

/// <Response/>: the reply to a status callback (Twilio ignores its body).
std::string emptyTwiml();

/// Escapes text for XML content and attribute values.
std::string xmlEscape(const std::string& text);

/// A bool as Twilio's TwiML and REST parameters spell it.
const char* boolText(bool value);

}  // namespace sb::twilio

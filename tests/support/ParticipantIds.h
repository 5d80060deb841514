#pragma once

// Issue 15.3: a participant has one id on every surface, whatever the
// provider. The check every provider's cold-call test runs.

#include "support/ApiClient.h"

#include <string>

namespace sb::test {

/// Mutes the agent of `conferenceSid` by `id` (the participant_sid webrtc-join
/// gave) and unmutes it by `alias` (the provider's own leg id), through the
/// cold-call API at `prefix`, then checks that `id` is the only one the
/// control answers, status, the call's legs and timeline, and every frame of
/// `stream` (opened before the join) give the agent, and that status shows
/// each change.
void checkAgentNamedOnce(const ApiClient& client, const EventStreamClient& stream, const std::string& prefix,
                         const std::string& conferenceSid, const std::string& id, const std::string& alias);

}  // namespace sb::test

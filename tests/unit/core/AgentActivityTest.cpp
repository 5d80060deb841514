// An agent's state on the supervisor's board, read from their latest call.
#include <switchboard/core/calls/AgentActivity.h>

#include <catch2/catch.hpp>

using sb::core::activityOf;
using sb::core::CallRecord;
namespace activity = sb::core::agent_activity;

TEST_CASE("agent activity: each live status, hold, logging within the window, then idle", "[team]") {
  constexpr int64_t kNow = 1'800'000'000'000;
  CHECK(activityOf(nullptr, kNow).state == activity::kIdle);
  CHECK_FALSE(activityOf(nullptr, kNow).sinceMs);

  CallRecord call;
  call.createdAt = kNow - 9000;
  CHECK(activityOf(&call, kNow).state == activity::kDialing);
  CHECK(activityOf(&call, kNow).sinceMs == call.createdAt);
  CHECK(activityOf(&call, kNow).showsCall);

  call.status = sb::core::call_status::kRinging;
  call.ringingAt = kNow - 8000;
  CHECK(activityOf(&call, kNow).state == activity::kRinging);
  CHECK(activityOf(&call, kNow).sinceMs == call.ringingAt);

  call.status = sb::core::call_status::kInProgress;
  call.answeredAt = kNow - 5000;
  CHECK(activityOf(&call, kNow).state == activity::kTalking);
  CHECK(activityOf(&call, kNow).sinceMs == call.answeredAt);
  call.contactHeld = true;
  CHECK(activityOf(&call, kNow).state == activity::kOnHold);

  call.contactHeld = false;
  call.status = sb::core::call_status::kCompleted;
  call.endedAt = kNow - 1000;
  CHECK(activityOf(&call, kNow).state == activity::kLogging);
  CHECK(activityOf(&call, kNow).sinceMs == call.endedAt);
  CHECK(activityOf(&call, kNow).showsCall);
  // Left unlogged past the window: idle (the rep's page keeps reminding).
  CHECK(activityOf(&call, *call.endedAt + activity::kLoggingWindowMs).state == activity::kIdle);
  CHECK_FALSE(activityOf(&call, *call.endedAt + activity::kLoggingWindowMs).showsCall);
  // Logged: idle at once.
  call.outcome = "meeting_booked";
  CHECK(activityOf(&call, kNow).state == activity::kIdle);
  CHECK(activityOf(&call, kNow).sinceMs == call.endedAt);
}

// `switchboard conformance`: runs a provider plugin, as the host loads it
// and with its author's configuration, through every operation, the bad
// requests, and (with a webhook fixture) signed, redelivered, unsigned,
// tampered and stale webhooks, checking every result and event against
// the SDK's schemas. What it found is a list of checks, each passed,
// failed (with what to fix) or skipped (with why).
#pragma once

#include "conformance/WebhookFixture.h"

#include <switchboard/core/plugin/LoadedPlugin.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sb::host::conformance {

enum class Verdict { Pass, Fail, Skip };

struct Check {
  std::string name;
  Verdict verdict = Verdict::Pass;
  std::string detail;
};

struct RunOptions {
  std::string to = "+15551230001";    ///< the contact's number in call.start
  std::string from = "+15550001000";  ///< the caller ID in call.start
  std::chrono::milliseconds operationDeadline{15000};
  /// A pause after call.start and client_credential.issue, before the
  /// webhooks and the participant updates, for a carrier to get going.
  std::chrono::milliseconds settle{0};
  /// Where the run's own host takes the webhooks the carrier sends, and
  /// the public base URL they are signed against (empty: the listening
  /// address itself). The plugin's webhook_base_url follows from it unless
  /// its config sets one.
  std::string listenHost = "127.0.0.1";
  uint16_t listenPort = 0;
  std::string publicBaseUrl;
};

struct Report {
  std::vector<Check> checks;
  size_t count(Verdict verdict) const;
  /// No check failed and none was skipped.
  bool certified() const { return count(Verdict::Fail) == 0 && count(Verdict::Skip) == 0; }
  bool failed() const { return count(Verdict::Fail) > 0; }
};

/// Runs every check on `plugin`, created with `config` (its section of the
/// configuration). Never throws for what the plugin does: a plugin error is
/// a failed check.
Report runConformance(const core::LoadedPluginPtr& plugin, const nlohmann::json& config,
                      const std::optional<WebhookFixture>& fixture, const RunOptions& options);

const char* name(Verdict verdict);

}  // namespace sb::host::conformance

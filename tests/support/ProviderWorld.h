#pragma once

// A host on one provider with that provider's fake, for the tests that must
// hold for every provider (the sim, the fake Twilio and the fake Telnyx
// alike), and the host configuration each provider's fake needs.

#include "support/TestHost.h"
#include "support/fakes/FakeTelnyx.h"
#include "support/fakes/FakeTwilio.h"

#include <map>
#include <memory>
#include <string>

namespace sb::test {

using ConfigValues = std::map<std::string, std::string>;

/// The host's keys for the Twilio plugin against `fake`, plus `extra`.
ConfigValues hostConfigFor(const FakeTwilio& fake, ConfigValues extra = {});
/// The host's keys for the Telnyx plugin against `fake`, plus `extra`.
ConfigValues hostConfigFor(const FakeTelnyx& fake, ConfigValues extra = {});

class ProviderWorld {
 public:
  /// `provider` is "sim", "twilio" or "telnyx"; `extra` config on top. The
  /// fakes dial with their default outcomes (answered).
  explicit ProviderWorld(const std::string& provider, ConfigValues extra = {});
  /// Fails the test if a fake saw a request its official description refuses.
  ~ProviderWorld();
  ProviderWorld(const ProviderWorld&) = delete;
  ProviderWorld& operator=(const ProviderWorld&) = delete;

  TestHost& host() { return *host_; }
  /// What the page's provider SDK does with the `credential` a join returned:
  /// the browser leg connects (the sim connects it by itself). Empty, or why
  /// the provider refused it.
  std::string connectAgent(const nlohmann::json& credential);
  /// The agent's browser leg `providerLegId` drops (a reload, a crashed tab,
  /// a lost network), as the provider reports it. The sim's browser leg is
  /// the host's own doing and cannot drop: false there.
  bool dropAgent(const std::string& providerLegId);
  const std::string& provider() const { return provider_; }

 private:
  std::string provider_;
  std::unique_ptr<FakeTwilio> twilio_;
  std::unique_ptr<FakeTelnyx> telnyx_;
  std::unique_ptr<TestHost> host_;
};

}  // namespace sb::test

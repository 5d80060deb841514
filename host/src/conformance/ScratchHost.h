// What `switchboard conformance` runs a plugin in: a host of its own, as
// `serve` would give the plugin, in a scratch folder removed afterwards. A
// scratch SQLite database backs the plugin's sb.state.v1, and an HTTP
// server of the host's own kind (ApiServer) takes the webhooks that the
// carrier (or its sandbox, or a fake) sends during the run and hands them
// to the plugin, keeping the events they produced for the runner to check.
#pragma once

#include <switchboard/core/plugin/ProviderProxy.h>
#include <switchboard/core/storage/PluginStateRepository.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sb::host::conformance {

/// A webhook the carrier sent by itself, and what became of it.
struct ReceivedWebhook {
  std::string target;  ///< method, path and query
  int status = 0;      ///< what the plugin answered (403 for a refused signature)
  nlohmann::json events = nlohmann::json::array();
  std::string error;
};

class ScratchHost {
 public:
  /// Listens on host:port (port 0 picks a free one) for /webhooks/<id>/...
  ScratchHost(const std::string& listenHost, uint16_t listenPort, std::string publicBaseUrl);
  ~ScratchHost();
  ScratchHost(const ScratchHost&) = delete;
  ScratchHost& operator=(const ScratchHost&) = delete;

  std::shared_ptr<core::PluginStateRepository> state() const;
  /// The public base URL webhooks are signed against: the one given, else
  /// http://<listenHost>:<bound port>.
  const std::string& publicBaseUrl() const noexcept;
  /// From now on received webhooks go to `provider` (nullptr: answered 503).
  void forwardTo(const core::ProviderProxy* provider);
  std::vector<ReceivedWebhook> received() const;
  /// Stops taking webhooks and waits for those in hand: call it before the
  /// provider they go to is destroyed. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::host::conformance

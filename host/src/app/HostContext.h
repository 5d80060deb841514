#pragma once

#include "http/EventStreamHub.h"

#include <switchboard/core/audit/AuditLog.h>
#include <switchboard/core/auth/ApiKeyService.h>
#include <switchboard/core/calls/CallService.h>
#include <switchboard/core/calls/SqliteCallRepository.h>
#include <switchboard/core/calls/WebhookService.h>
#include <switchboard/core/config/Settings.h>
#include <switchboard/core/contacts/ContactService.h>
#include <switchboard/core/contacts/SqliteContactRepository.h>
#include <switchboard/core/contacts/SqliteDncRepository.h>
#include <switchboard/core/metrics/Metrics.h>
#include <switchboard/core/net/HttpClient.h>
#include <switchboard/core/plugin/PluginLoader.h>
#include <switchboard/core/plugin/ProviderProxy.h>
#include <switchboard/core/storage/Database.h>
#include <switchboard/core/storage/SqlLeaseRepository.h>
#include <switchboard/core/storage/SqlPluginStateRepository.h>
#include <switchboard/core/storage/SqliteApiKeyRepository.h>
#include <switchboard/core/users/SessionService.h>
#include <switchboard/core/users/SqlSignInRepository.h>
#include <switchboard/core/users/SqlUserRepository.h>
#include <switchboard/core/users/UserService.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sb::host {

/// Everything the host wires together at start: settings, database, API
/// keys, discovered plugins and the active provider instance.
class HostContext {
 public:
  /// Contact service options (region, import limits) from the settings.
  static core::ContactServiceOptions contactOptions(const core::Settings& settings);
  /// Call service options (caller IDs, dispositions, timeouts).
  static core::CallServiceOptions callOptions(const core::Settings& settings);
  /// Outbound HTTP for plugins: timeouts, TLS, kept-alive connections, retries.
  static core::HttpClientOptions httpClientOptions(const core::Settings& settings);

  /// Opens the database (applying migrations) and sets up API keys and
  /// the contact service.
  explicit HostContext(core::Settings settings);

  /// Discovers plugins on the configured search path (plugin refusals are
  /// logged, one line each, and kept for `switchboard plugins`).
  void discoverPlugins(const std::filesystem::path& executableDir);

  /// Creates the configured provider. `publicBaseUrl` is where providers
  /// reach this host; its webhook base is <publicBaseUrl>/webhooks/<id>.
  /// On failure the reason is kept (see providerProblem) and logged: the
  /// host still serves, /ready says why it is not ready.
  void startProvider(const std::string& publicBaseUrl);

  core::Settings& settings() noexcept { return settings_; }
  core::Database& database() noexcept { return *database_; }
  core::ApiKeyService& apiKeys() noexcept { return *apiKeys_; }
  core::UserService& users() noexcept { return *users_; }
  core::SessionService& sessions() noexcept { return *sessions_; }
  core::AuditLog& audit() noexcept { return *audit_; }
  core::ContactService& contacts() noexcept { return *contacts_; }
  core::CallService& calls() noexcept { return *calls_; }
  core::WebhookService& webhooks() noexcept { return *webhooks_; }
  core::Metrics& metrics() noexcept { return metrics_; }
  /// The live event stream's hub, started on first use.
  EventStreamHub& eventStream();
  /// STUN/TURN URLs for the browser leg when the provider gives none.
  const std::vector<std::string>& callIceServers() const noexcept { return iceServers_; }
  const core::PluginDiscovery& plugins() const noexcept { return plugins_; }
  const core::ProviderProxy* provider() const noexcept { return provider_.get(); }
  const std::string& providerProblem() const noexcept { return providerProblem_; }
  const std::string& publicBaseUrl() const noexcept { return publicBaseUrl_; }
  /// Where the dialer page's files are: web.root, else the layout shared by
  /// build and install trees, <root>/share/switchboard/web beside bin/.
  std::filesystem::path webRoot() const;
  std::shared_ptr<const core::HttpClient> httpClient() const noexcept { return httpClient_; }

 private:
  core::Settings settings_;
  std::unique_ptr<core::Database> database_;
  std::unique_ptr<core::SqliteApiKeyRepository> apiKeyRepository_;
  std::unique_ptr<core::ApiKeyService> apiKeys_;
  std::unique_ptr<core::SqlUserRepository> userRepository_;
  std::unique_ptr<core::UserService> users_;
  std::unique_ptr<core::SqlSignInRepository> signIns_;
  std::unique_ptr<core::SessionService> sessions_;
  std::unique_ptr<core::AuditLog> audit_;
  std::unique_ptr<core::SqliteContactRepository> contactRepository_;
  std::unique_ptr<core::SqliteDncRepository> dncRepository_;
  std::unique_ptr<core::ContactService> contacts_;
  core::Metrics metrics_;
  std::unique_ptr<core::SqliteCallRepository> callRepository_;
  std::unique_ptr<core::SqlLeaseRepository> leases_;
  std::shared_ptr<core::SqlPluginStateRepository> pluginState_;
  std::shared_ptr<const core::HttpClient> httpClient_;
  core::PluginDiscovery plugins_;
  std::unique_ptr<core::ProviderProxy> provider_;
  // Declared last so it is destroyed first: it stops its threads, which use
  // the provider and the repositories above.
  std::unique_ptr<core::CallService> calls_;
  std::unique_ptr<core::WebhookService> webhooks_;
  std::mutex eventStreamMutex_;
  std::unique_ptr<EventStreamHub> eventStream_;  // after calls_: it unsubscribes first
  std::vector<std::string> iceServers_;
  std::string providerProblem_ = "provider not started";
  std::string publicBaseUrl_;
  std::filesystem::path executableDir_;
};

}  // namespace sb::host

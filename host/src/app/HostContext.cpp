#include "app/HostContext.h"
#include "app/ConfigKeys.h"

#include "app/ConfigLoader.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/ProviderError.h>

#include <sstream>

namespace sb::host {

namespace {

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) {
      items.push_back(item.substr(first, last - first + 1));
    }
  }
  return items;
}

}  // namespace

HostContext::HostContext(core::Settings settings) : settings_(std::move(settings)) {
  database_ = std::make_unique<core::Database>(
      databaseTarget(settings_), core::DatabaseOptions{static_cast<int>(settings_.getInt("database.pool_size", 4))});
  database_->migrate();
  database_->startCheckpointer(std::chrono::milliseconds(settings_.getInt("database.checkpoint_ms", 250)));
  apiKeyRepository_ = std::make_unique<core::SqliteApiKeyRepository>(*database_);
  apiKeys_ = std::make_unique<core::ApiKeyService>(
      *apiKeyRepository_, std::chrono::milliseconds(settings_.getInt("auth.key_cache_ms", 5000)));
  userRepository_ = std::make_unique<core::SqlUserRepository>(*database_);
  users_ = std::make_unique<core::UserService>(*userRepository_);
  signIns_ = std::make_unique<core::SqlSignInRepository>(*database_);
  core::SessionOptions sessionOptions;
  sessionOptions.idle = std::chrono::seconds(settings_.getInt("auth.session_idle_s", 28800));
  sessionOptions.absolute = std::chrono::seconds(settings_.getInt("auth.session_max_s", 43200));
  sessions_ = std::make_unique<core::SessionService>(*signIns_, *userRepository_, *users_, sessionOptions);
  audit_ = std::make_unique<core::AuditLog>(*database_);
  contactRepository_ = std::make_unique<core::SqliteContactRepository>(*database_);
  dncRepository_ = std::make_unique<core::SqliteDncRepository>(*database_);
  contacts_ = std::make_unique<core::ContactService>(*contactRepository_, *dncRepository_, contactOptions(settings_));
  callRepository_ = std::make_unique<core::SqliteCallRepository>(*database_);
  leases_ = std::make_unique<core::SqlLeaseRepository>(*database_);
  pluginState_ = std::make_shared<core::SqlPluginStateRepository>(*database_);
  core::CallServiceOptions options = callOptions(settings_);
  options.sweepLeases = leases_.get();
  calls_ = std::make_unique<core::CallService>(*callRepository_, *contacts_, metrics_, std::move(options));
  webhooks_ = std::make_unique<core::WebhookService>(calls_->provider(), calls_->ingest());
  iceServers_ = splitList(settings_.getString("webrtc.ice_servers"));
  httpClient_ = std::make_shared<const core::HttpClient>(httpClientOptions(settings_), &metrics_);
}

core::HttpClientOptions HostContext::httpClientOptions(const core::Settings& settings) {
  core::HttpClientOptions options;
  options.connectTimeout = std::chrono::milliseconds(settings.getInt("outbound.connect_timeout_ms", 5000));
  options.requestTimeout = std::chrono::milliseconds(settings.getInt("outbound.request_timeout_ms", 15000));
  options.verifyTls = settings.getBool("outbound.verify_tls", true);
  options.maxIdlePerHost = static_cast<size_t>(settings.getInt("outbound.max_idle_per_host", 8));
  options.idleTimeout = std::chrono::milliseconds(settings.getInt("outbound.idle_timeout_ms", 30000));
  options.retry.failureRetries = static_cast<int>(settings.getInt("outbound.failure_retries", 1));
  options.retry.rateLimitRetries = static_cast<int>(settings.getInt("outbound.rate_limit_retries", 2));
  options.retry.maxRateLimitWait = std::chrono::milliseconds(settings.getInt("outbound.max_retry_wait_ms", 2000));
  return options;
}

core::ContactServiceOptions HostContext::contactOptions(const core::Settings& settings) {
  core::ContactServiceOptions options;
  options.defaultRegion = settings.getString("contacts.default_region", "US");
  const int64_t maxBytes = settings.getInt("import.max_bytes", 209715200);
  const int64_t maxRows = settings.getInt("import.max_rows", 1000000);
  if (maxBytes <= 0 || maxRows <= 0) {
    throw core::ConfigError("import.max_bytes and import.max_rows must be positive");
  }
  options.limits.maxBytes = static_cast<uint64_t>(maxBytes);
  options.limits.maxRows = maxRows;
  options.spoolDir = settings.getString("import.spool_dir", "");
  return options;
}

EventStreamHub& HostContext::eventStream() {
  std::lock_guard lock(eventStreamMutex_);
  if (!eventStream_) {
    EventStreamOptions options;
    options.heartbeat = std::chrono::milliseconds(settings_.getInt("sse.heartbeat_ms", 15000));
    options.batchWindow = std::chrono::milliseconds(settings_.getInt("sse.batch_ms", 100));
    options.maxClients = static_cast<size_t>(settings_.getInt("sse.max_clients", 256));
    options.maxClientsPerKey = static_cast<size_t>(settings_.getInt("sse.max_clients_per_key", 32));
    options.replayLimit = settings_.getInt("sse.replay_limit", 1000);
    eventStream_ = std::make_unique<EventStreamHub>(calls_->bus(), calls_->queries(), options);
  }
  return *eventStream_;
}

core::CallServiceOptions HostContext::callOptions(const core::Settings& settings) {
  core::CallServiceOptions options;
  options.callerIds = splitList(settings.getString("calls.caller_ids"));
  for (const auto& id : options.callerIds) {
    if (id.size() < 3 || id[0] != '+') {
      throw core::ConfigError("calls.caller_ids: '" + id + "' is not an E.164 number (+15551234567)");
    }
  }
  options.dispositions = splitList(settings.getString("calls.dispositions"));
  options.ringTimeoutS = settings.getInt("calls.ring_timeout_s", 30);
  options.maxActive = settings.getInt("calls.max_active", 1000);
  options.agentJoinTimeoutS = settings.getInt("calls.agent_join_timeout_s", 15);
  if (options.agentJoinTimeoutS < 0) {
    throw core::ConfigError("calls.agent_join_timeout_s must be 0 (off) or more seconds (default 15)");
  }
  options.statusCheckEvery = std::chrono::seconds(settings.getInt("calls.status_check_s", 60));
  if (options.maxActive <= 0) {
    throw core::ConfigError("calls.max_active must be positive (calls in progress at once, default 1000)");
  }
  options.credentialTtlS = settings.getInt("calls.credential_ttl_s", 3600);
  options.conferencePrefix = settings.getString("calls.conference_prefix", "COLD_CALL_");
  options.journalLinger = std::chrono::microseconds(settings.getInt("calls.journal_linger_us", 200));
  options.journalLingerBelow = static_cast<size_t>(settings.getInt("calls.journal_linger_below", 16));
  if (options.ringTimeoutS <= 0 || options.credentialTtlS <= 0) {
    throw core::ConfigError("calls.ring_timeout_s and calls.credential_ttl_s must be positive");
  }
  return options;
}

std::filesystem::path HostContext::webRoot() const {
  const std::string configured = settings_.getString("web.root");
  if (!configured.empty()) {
    return configured;
  }
  return (executableDir_ / ".." / "share" / "switchboard" / "web").lexically_normal();
}

void HostContext::discoverPlugins(const std::filesystem::path& executableDir) {
  executableDir_ = executableDir;
  auto log = core::logger("plugins");
  // Only the configured provider's library is mapped: another folder's
  // constructors never run in the host.
  const std::string active = settings_.getString("provider", "sim");
  plugins_ = core::PluginLoader::discover(host::pluginSearchPath(settings_, executableDir),
                                          [&active](const std::string& id) { return id == active; });
  for (const auto& plugin : plugins_.loaded) {
    log->info("loaded plugin '{}' {} (ABI {}) from {}", plugin->id(), plugin->version(), plugin->abiVersion(),
              plugin->manifest().directory.string());
  }
  for (const auto& refusal : plugins_.refused) {
    log->warn("refused plugin in {}: {}", refusal.directory.string(), refusal.reason);
  }
}

void HostContext::startProvider(const std::string& publicBaseUrl) {
  auto log = core::logger("plugins");
  publicBaseUrl_ = publicBaseUrl;
  while (!publicBaseUrl_.empty() && publicBaseUrl_.back() == '/') {
    publicBaseUrl_.pop_back();
  }
  const std::string id = settings_.getString("provider", "sim");
  core::LoadedPluginPtr chosen;
  for (const auto& plugin : plugins_.loaded) {
    if (plugin->id() == id) {
      chosen = plugin;
    }
  }
  if (!chosen) {
    std::string available;
    for (const auto& plugin : plugins_.loaded) {
      available += (available.empty() ? "" : ", ") + plugin->id();
    }
    providerProblem_ = "provider '" + id + "' is not among the loaded plugins (" +
                       (available.empty() ? std::string("none loaded") : available) +
                       "); check 'provider' in the config and run 'switchboard plugins'";
    log->error("{}", providerProblem_);
    calls_->setProvider(nullptr, providerProblem_);
    return;
  }
  nlohmann::json config = providerSection(settings_, id, publicBaseUrl_);
  try {
    core::ProviderLimits limits;
    limits.operationDeadline = std::chrono::milliseconds(settings_.getInt("plugins.operation_timeout_ms", 15000));
    limits.nonBlockingWebhookBudget =
        std::chrono::milliseconds(settings_.getInt("plugins.nonblocking_webhook_budget_ms", 100));
    provider_ = std::make_unique<core::ProviderProxy>(chosen, std::move(config), httpClient_, limits, pluginState_);
    providerProblem_.clear();
    calls_->setProvider(provider_.get());
    log->info("provider '{}' ready; webhooks at {}/webhooks/{}/", id, publicBaseUrl_, id);
  } catch (const core::ProviderError& e) {
    providerProblem_ = "provider '" + id + "' refused its configuration: " + e.what();
    log->error("{}", providerProblem_);
    calls_->setProvider(nullptr, providerProblem_);
  }
}

}  // namespace sb::host

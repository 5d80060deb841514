#include <switchboard/core/plugin/ProviderError.h>
#include <switchboard/core/plugin/ProviderProxy.h>

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/OperationDeadline.h>

#include <switchboard/core/plugin/CrashReport.h>
#include <switchboard/sdk/detail/abi_io.hpp>
#include <switchboard/sdk/json.hpp>

#include <vector>

namespace sb::core {
namespace {

using sdk::detail::makeError;
using sdk::detail::StringWriter;
using sdk::detail::toStr;

// Collects a plugin's webhook reply into an sdk::HttpResponse.
struct ReplyCollector {
  sdk::HttpResponse response;
  sb_http_response_sink sink{};

  ReplyCollector() {
    sink.struct_size = sizeof(sb_http_response_sink);
    sink.ctx = &response;
    sink.on_status = [](void* ctx, int32_t status) noexcept { static_cast<sdk::HttpResponse*>(ctx)->status = status; };
    sink.on_header = [](void* ctx, sb_str name, sb_str value) noexcept {
      try {
        static_cast<sdk::HttpResponse*>(ctx)->headers.emplace_back(std::string(sdk::detail::fromStr(name)),
                                                                   std::string(sdk::detail::fromStr(value)));
      } catch (...) {
        // dropped under memory pressure
      }
    };
    sink.on_body = [](void* ctx, sb_str chunk) noexcept {
      try {
        static_cast<sdk::HttpResponse*>(ctx)->body.append(sdk::detail::fromStr(chunk));
      } catch (...) {
        // a truncated reply is still a reply
      }
    };
  }
};

}  // namespace

ProviderProxy::ProviderProxy(LoadedPluginPtr plugin, nlohmann::json config, std::shared_ptr<const HttpClient> http,
                             ProviderLimits limits, std::shared_ptr<PluginStateRepository> state)
    : plugin_(std::move(plugin)),
      services_(std::make_unique<HostServices>(plugin_->id(), std::move(config), std::move(http), std::move(state))),
      limits_(limits) {
  const auto& capabilities = plugin_->capabilities();
  if (auto it = capabilities.find("webhooks_nonblocking"); it != capabilities.end() && it->is_boolean()) {
    webhooksNonBlocking_ = it->get<bool>();
  }
  const std::string configJson = services_->config().dump();
  sb_error error = makeError();
  const PluginCallScope scope(plugin_->id(), "create");
  instance_ = plugin_->api().create(services_->table(), toStr(configJson), &error);
  if (instance_ == nullptr) {
    fail(error.status == SB_STATUS_OK ? SB_STATUS_INTERNAL : error.status, error, "create");
  }
}

ProviderProxy::~ProviderProxy() {
  if (instance_ != nullptr) {
    const PluginCallScope scope(plugin_->id(), "destroy");
    plugin_->api().destroy(instance_);
  }
}

void ProviderProxy::fail(int32_t status, const sb_error& error, const char* what) const {
  std::string message = error.message;
  if (message.empty()) {
    message = std::string(what) + " failed with " + std::string(sdk::statusName(sdk::statusFromRaw(status)));
  }
  throw ProviderError(plugin_->id(), sdk::statusFromRaw(status), message, error.retry_after_ms, error.provider_code);
}

nlohmann::json ProviderProxy::invoke(const std::string& operation, const nlohmann::json& request) const {
  const std::string body = sdk::json::dump(request);
  std::string result;
  StringWriter writer(result);
  sb_error error = makeError();
  int32_t status = SB_STATUS_OK;
  const auto started = std::chrono::steady_clock::now();
  {
    const PluginCallScope scope(plugin_->id(), operation.c_str());
    const OperationDeadline deadline(limits_.operationDeadline);
    status = plugin_->api().invoke(instance_, toStr(operation), toStr(body), writer.get(), &error);
  }
  if (const auto took = std::chrono::steady_clock::now() - started; took > limits_.operationDeadline) {
    // Past the deadline its host services stop at: the plugin waited in
    // code of its own, which the host cannot cut short.
    logger("plugins")->warn("plugin '{}' took {} ms for {} (plugins.operation_timeout_ms = {})", plugin_->id(),
                            std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), operation,
                            limits_.operationDeadline.count());
  }
  if (status != SB_STATUS_OK) {
    fail(status, error, operation.c_str());
  }
  try {
    return result.empty() ? nlohmann::json::object() : sdk::json::parseBounded(result);
  } catch (const std::exception& e) {  // malformed, invalid UTF-8, out of range, too deep
    throw ProviderError(plugin_->id(), sdk::Status::Internal,
                        "plugin returned malformed JSON for '" + operation + "': " + e.what());
  }
}

WebhookOutcome ProviderProxy::onWebhook(const sdk::HttpRequest& request) const {
  std::vector<sb_header> headers;
  headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) {
    headers.push_back(sb_header{toStr(name), toStr(value)});
  }
  sb_http_request raw{};
  raw.struct_size = sizeof(sb_http_request);
  raw.method = toStr(request.method);
  raw.url = toStr(request.url);
  raw.path = toStr(request.path);
  raw.query = toStr(request.query);
  raw.remote_addr = toStr(request.remoteAddr);
  raw.headers = headers.data();
  raw.header_count = headers.size();
  raw.body = toStr(request.body);

  std::string events;
  StringWriter eventsWriter(events);
  ReplyCollector reply;
  sb_error error = makeError();
  int32_t status = SB_STATUS_OK;
  const auto started = std::chrono::steady_clock::now();
  {
    const PluginCallScope scope(plugin_->id(), "on_webhook");
    const OperationDeadline deadline(limits_.operationDeadline);
    status = plugin_->api().on_webhook(instance_, &raw, eventsWriter.get(), &reply.sink, &error);
  }
  const auto took = std::chrono::steady_clock::now() - started;
  if (took > limits_.nonBlockingWebhookBudget && webhooksNonBlocking_.exchange(false)) {
    // It ran on an I/O thread and stalled every connection served there.
    logger("plugins")->warn(
        "plugin '{}' declares webhooks_nonblocking, but a webhook took {} ms (budget {} ms, "
        "plugins.nonblocking_webhook_budget_ms); its webhooks now run on the worker pool",
        plugin_->id(), std::chrono::duration_cast<std::chrono::milliseconds>(took).count(),
        limits_.nonBlockingWebhookBudget.count());
  }
  if (status != SB_STATUS_OK) {
    fail(status, error, "on_webhook");
  }
  WebhookOutcome outcome;
  outcome.reply = std::move(reply.response);
  try {
    outcome.events = events.empty() ? nlohmann::json::array() : sdk::json::parseBounded(events);
  } catch (const std::exception& e) {  // malformed, invalid UTF-8, out of range, too deep
    throw ProviderError(plugin_->id(), sdk::Status::Internal,
                        std::string("plugin returned malformed events: ") + e.what());
  }
  if (!outcome.events.is_array()) {
    throw ProviderError(plugin_->id(), sdk::Status::Internal, "plugin returned events that are not a JSON array");
  }
  return outcome;
}

// The typed helpers re-validate results through the SDK's own readers, so
// a plugin that answers with a wrong shape is caught here, at the boundary.
template <typename Result>
static Result parseResult(const ProviderProxy& proxy, const char* operation, const nlohmann::json& json) {
  try {
    return Result::fromJson(json);
  } catch (const sdk::ProviderError& e) {
    throw ProviderError(proxy.id(), sdk::Status::Internal,
                        std::string("plugin returned an invalid result for '") + operation + "': " + e.what());
  }
}

sdk::StartCallResult ProviderProxy::startCall(const sdk::StartCallRequest& request) const {
  return parseResult<sdk::StartCallResult>(*this, sdk::op::kCallStart, invoke(sdk::op::kCallStart, request.toJson()));
}

sdk::EndCallResult ProviderProxy::endCall(const sdk::EndCallRequest& request) const {
  return parseResult<sdk::EndCallResult>(*this, sdk::op::kCallEnd, invoke(sdk::op::kCallEnd, request.toJson()));
}

sdk::CallStatus ProviderProxy::callStatus(const sdk::CallStatusRequest& request) const {
  return parseResult<sdk::CallStatus>(*this, sdk::op::kCallStatus, invoke(sdk::op::kCallStatus, request.toJson()));
}

sdk::ParticipantUpdateResult ProviderProxy::updateParticipant(const sdk::ParticipantUpdateRequest& request) const {
  return parseResult<sdk::ParticipantUpdateResult>(*this, sdk::op::kParticipantUpdate,
                                                   invoke(sdk::op::kParticipantUpdate, request.toJson()));
}

sdk::ClientCredential ProviderProxy::issueClientCredential(const sdk::ClientCredentialRequest& request) const {
  return parseResult<sdk::ClientCredential>(*this, sdk::op::kClientCredentialIssue,
                                            invoke(sdk::op::kClientCredentialIssue, request.toJson()));
}

}  // namespace sb::core

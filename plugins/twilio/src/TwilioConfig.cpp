#include "TwilioConfig.h"

#include <switchboard/sdk/status.hpp>

namespace sb::twilio {
namespace {

bool isSid(const std::string& value, const char* prefix) {
  if (value.size() != 34 || value.compare(0, 2, prefix) != 0) {
    return false;
  }
  for (size_t i = 2; i < value.size(); ++i) {
    const char c = value[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

void requireSid(const std::string& value, const char* key, const char* prefix) {
  if (!isSid(value, prefix)) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument, std::string("config key '") + key + "' must be a " + prefix +
                                                               " SID (" + prefix +
                                                               " followed by 32 hex digits); check the Twilio Console");
  }
}

std::string withoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

}  // namespace

TwilioConfig TwilioConfig::from(const sdk::Config& config, const sdk::Crypto& crypto) {
  TwilioConfig c;
  c.baseUrl = withoutTrailingSlash(config.getString("base_url", c.baseUrl));
  c.accountSid = config.requireString("account_sid");
  c.authToken = config.requireString("auth_token");
  c.apiKeySid = config.getString("api_key_sid");
  c.apiKeySecret = config.getString("api_key_secret");
  c.twimlAppSid = config.getString("twiml_app_sid");
  c.callerId = config.getString("caller_id");
  c.webhookBaseUrl = withoutTrailingSlash(config.requireString("webhook_base_url"));
  c.region = config.getString("region");
  c.edge = config.getString("edge");
  c.tokenTtlS = config.getInt("token_ttl_s", c.tokenTtlS);
  c.httpTimeoutMs = config.getInt("http_timeout_ms", c.httpTimeoutMs);

  requireSid(c.accountSid, "account_sid", "AC");
  // The API key signs the browser's Access Tokens (and authenticates REST
  // calls when set); without it REST uses the auth token and no browser can
  // join, which issueClientCredential explains.
  if (c.apiKeySid.empty() != c.apiKeySecret.empty()) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument,
                             "config keys 'api_key_sid' and 'api_key_secret' go together: set both or neither");
  }
  if (!c.apiKeySid.empty()) {
    requireSid(c.apiKeySid, "api_key_sid", "SK");
  }
  if (!c.twimlAppSid.empty()) {
    requireSid(c.twimlAppSid, "twiml_app_sid", "AP");
  }
  if (c.baseUrl.rfind("https://", 0) != 0 && c.baseUrl.rfind("http://", 0) != 0) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument, "config key 'base_url' must be an http(s) URL");
  }
  if (c.webhookBaseUrl.rfind("https://", 0) != 0 && c.webhookBaseUrl.rfind("http://", 0) != 0) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument,
                             "config key 'webhook_base_url' (or the host's public_base_url) must be an absolute "
                             "http(s) URL that Twilio can reach");
  }
  if (c.tokenTtlS < 60 || c.tokenTtlS > 86400) {
    throw sdk::ProviderError(
        sdk::Status::InvalidArgument,
        "config key 'token_ttl_s' must be 60..86400 (Twilio refuses tokens valid longer than 24 h)");
  }
  if (c.httpTimeoutMs < 100) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument, "config key 'http_timeout_ms' must be at least 100");
  }
  // One secret, one purpose: the dial-session key is derived, never the
  // auth token itself.
  c.sessionKey = crypto.hmac("sha256", c.authToken, "switchboard twilio dial session v1");
  return c;
}

std::string TwilioConfig::basicCredentials() const {
  return apiKeySid.empty() ? accountSid + ":" + authToken : apiKeySid + ":" + apiKeySecret;
}

}  // namespace sb::twilio

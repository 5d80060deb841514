#include "TelnyxConfig.h"

#include "TelnyxSignature.h"

#include <switchboard/sdk/status.hpp>

namespace sb::telnyx {
namespace {

std::string withoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool isHttpUrl(const std::string& url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

}  // namespace

TelnyxConfig TelnyxConfig::from(const sdk::Config& config, const sdk::Crypto& crypto) {
  TelnyxConfig c;
  c.baseUrl = withoutTrailingSlash(config.getString("base_url", c.baseUrl));
  c.apiKey = config.requireString("api_key");
  c.connectionId = config.requireString("connection_id");
  c.credentialId = config.getString("credential_id");
  const std::string publicKey = config.requireString("public_key");
  c.callerId = config.getString("caller_id");
  c.webhookBaseUrl = withoutTrailingSlash(config.requireString("webhook_base_url"));
  c.httpTimeoutMs = config.getInt("http_timeout_ms", c.httpTimeoutMs);
  c.toleranceS = config.getInt("signature_tolerance_s", c.toleranceS);

  const auto key = decodePublicKey(publicKey);
  if (!key) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument,
                             "config key 'public_key' must be the account's Ed25519 public key in base64 (44 "
                             "characters; Mission Control > Account Settings > Keys & Credentials > Public Key)");
  }
  c.publicKey = *key;
  if (!isHttpUrl(c.baseUrl) || !isHttpUrl(c.webhookBaseUrl)) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument,
                             "config keys 'base_url' and 'webhook_base_url' (or public_base_url) must be http(s) URLs");
  }
  if (c.httpTimeoutMs < 100 || c.toleranceS < 30 || c.toleranceS > 3600) {
    throw sdk::ProviderError(sdk::Status::InvalidArgument,
                             "config keys 'http_timeout_ms' (>= 100) or 'signature_tolerance_s' (30..3600) are out "
                             "of range");
  }
  c.sessionKey = crypto.hmac("sha256", c.apiKey, "switchboard telnyx agent session v1");
  return c;
}

}  // namespace sb::telnyx

// A plugin author's webhook fixture for `switchboard conformance`: the
// webhooks their carrier sends during a call, as templates, and how the
// carrier signs them, so that the runner can sign each one as the carrier
// would, send it to the plugin, forge it, and check the events that come
// out. The format is documented in sdk/docs/CONFORMANCE.md.
#pragma once

#include <switchboard/sdk/http.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::host::conformance {

/// How the carrier signs a webhook: a MAC or signature over `message`
/// (a template of {url}, {body}, {timestamp} and {sorted_form}), written
/// in `header` as prefix + hex or base64; the timestamp in
/// `timestampHeader` when the scheme has one.
struct Signing {
  std::string scheme;  ///< "hmac-sha256", "hmac-sha1" or "ed25519"
  std::string key;     ///< the HMAC secret, or the Ed25519 private seed (raw bytes)
  std::string message;
  std::string encoding;  ///< "hex" or "base64"
  std::string prefix;
  std::string header;
  std::string timestampHeader;  ///< empty: the scheme signs no time
};

struct ExpectedEvent {
  std::string type;
  std::string leg;    ///< empty: any
  std::string cause;  ///< empty: any
};

struct FixtureWebhook {
  std::string name;
  std::string method = "POST";
  std::string path;  ///< under webhook_base_url, with its query: "/events?call_id={call_id}"
  std::string contentType;
  std::string body;  ///< a template
  std::optional<int> expectStatus;
  std::vector<ExpectedEvent> expectEvents;
  /// Sent after the participant updates (the call's end), not before them
  /// ("phase": "ending"): a hang-up must not come before mute and hold.
  bool ending = false;
};

/// A placeholder the fixture defines from others: `template` filled in,
/// then encoded ("base64", "base64url", "hex", or "" for none). A carrier
/// that echoes an opaque value (Telnyx's client_state) needs one.
struct DerivedValue {
  std::string name;
  std::string text;
  std::string encoding;
};

struct WebhookFixture {
  std::filesystem::path file;
  Signing signing;
  std::vector<DerivedValue> values;  ///< each from the built-in placeholders only
  std::vector<FixtureWebhook> webhooks;
};

/// Reads and checks a fixture. A signing key may name one of the plugin's
/// config keys ({"config": "auth_token"}), read from `pluginConfig`.
/// Throws std::runtime_error naming the file and what to fix.
WebhookFixture readFixture(const std::filesystem::path& file, const nlohmann::json& pluginConfig);

/// The values of a fixture's placeholders: {call_id}, {provider_call_id},
/// {conference_name}, {conference_id}, {agent_id}, {to}, {from},
/// {timestamp}, {timestamp_ms}, {nonce}.
using Placeholders = std::map<std::string, std::string>;
std::string fillIn(const std::string& text, const Placeholders& values);
/// `values` with the fixture's derived values added.
Placeholders withDerived(const WebhookFixture& fixture, Placeholders values);

/// The webhook as the host hands it to the plugin: full public URL, path
/// and query, headers, body; signed as the fixture says at `timestampS`
/// unless `sign` is false.
sdk::HttpRequest buildWebhook(const WebhookFixture& fixture, const FixtureWebhook& webhook, const Placeholders& values,
                              const std::string& webhookBaseUrl, int64_t timestampS, bool sign = true);

/// The header names a signature travels in, to take them off a forgery.
std::vector<std::string> signatureHeaders(const Signing& signing);

}  // namespace sb::host::conformance

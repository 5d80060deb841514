#include "conformance/WebhookFixture.h"

#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/sdk/encoding.hpp>
#include <switchboard/sdk/json.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace sb::host::conformance {
namespace {

// A fixture is the author's own file, but still input: bounded before it
// is trusted.
constexpr std::uintmax_t kMaxFixtureBytes = std::uintmax_t{1024} * 1024;
constexpr size_t kMaxWebhooks = 200;

[[noreturn]] void refuse(const std::filesystem::path& file, const std::string& what) {
  throw std::runtime_error("webhook fixture " + file.string() + ": " + what);
}

std::string stringAt(const nlohmann::json& object, const char* key, const std::string& fallback,
                     const std::filesystem::path& file, const std::string& where) {
  if (!object.contains(key)) {
    return fallback;
  }
  if (!object[key].is_string()) {
    refuse(file, where + "." + key + " must be a string");
  }
  return object[key].get<std::string>();
}

std::string signingKey(const nlohmann::json& key, const std::string& scheme, const nlohmann::json& pluginConfig,
                       const std::filesystem::path& file) {
  std::string text;
  if (key.is_object() && key.contains("config") && key["config"].is_string()) {
    const std::string name = key["config"].get<std::string>();
    if (pluginConfig.contains(name) && pluginConfig[name].is_string() &&
        !pluginConfig[name].get<std::string>().empty()) {
      text = pluginConfig[name].get<std::string>();
    } else if (key.contains("default") && key["default"].is_string()) {
      text = key["default"].get<std::string>();
    } else {
      refuse(file, "signing.key names the plugin's config key '" + name +
                       "', which the configuration does not set (and the fixture gives no \"default\")");
    }
  } else if (key.is_object() && key.contains("value") && key["value"].is_string()) {
    text = key["value"].get<std::string>();
  } else {
    refuse(file, R"(signing.key must be {"config": "<plugin config key>"} or {"value": "<key>"})");
  }
  if (scheme != "ed25519") {
    return text;
  }
  // An Ed25519 private key is given as the base64 of its 32-byte seed.
  const auto seed = sdk::encoding::base64Decode(text);
  if (!seed || seed->size() != 32) {
    refuse(file, "signing.key of an ed25519 scheme must be the base64 of a 32-byte private key (seed)");
  }
  return *seed;
}

Signing readSigning(const nlohmann::json& json, const nlohmann::json& pluginConfig, const std::filesystem::path& file) {
  if (!json.is_object()) {
    refuse(file, "\"signing\" must be an object");
  }
  Signing signing;
  signing.scheme = stringAt(json, "scheme", "", file, "signing");
  if (signing.scheme != "hmac-sha256" && signing.scheme != "hmac-sha1" && signing.scheme != "ed25519") {
    refuse(file,
           "signing.scheme must be \"hmac-sha256\", \"hmac-sha1\" or \"ed25519\", not \"" + signing.scheme + "\"");
  }
  signing.key = signingKey(json.value("key", nlohmann::json()), signing.scheme, pluginConfig, file);
  signing.message = stringAt(json, "message", "{body}", file, "signing");
  signing.encoding = stringAt(json, "encoding", signing.scheme == "ed25519" ? "base64" : "hex", file, "signing");
  if (signing.encoding != "hex" && signing.encoding != "base64") {
    refuse(file, "signing.encoding must be \"hex\" or \"base64\"");
  }
  signing.prefix = stringAt(json, "prefix", "", file, "signing");
  signing.header = stringAt(json, "header", "", file, "signing");
  if (signing.header.empty()) {
    refuse(file, "signing.header (the header the signature travels in) is required");
  }
  signing.timestampHeader = stringAt(json, "timestamp_header", "", file, "signing");
  return signing;
}

FixtureWebhook readWebhook(const nlohmann::json& json, size_t index, const std::filesystem::path& file) {
  const std::string where = "webhooks[" + std::to_string(index) + "]";
  if (!json.is_object()) {
    refuse(file, where + " must be an object");
  }
  FixtureWebhook webhook;
  webhook.name = stringAt(json, "name", where, file, where);
  webhook.method = stringAt(json, "method", "POST", file, where);
  webhook.path = stringAt(json, "path", "", file, where);
  if (webhook.path.empty() || webhook.path.front() != '/') {
    refuse(file, where + ".path must start with '/' (it follows webhook_base_url)");
  }
  if (json.contains("json") && json.contains("form")) {
    refuse(file, where + " has both \"json\" and \"form\": give one body");
  }
  if (json.contains("json")) {
    // Placeholders live in the JSON's strings; it is dumped, then filled in.
    webhook.body = json["json"].dump();
    webhook.contentType = "application/json";
  } else if (json.contains("form")) {
    if (!json["form"].is_object()) {
      refuse(file, where + ".form must be an object of strings");
    }
    std::string body;
    for (const auto& [name, value] : json["form"].items()) {
      if (!value.is_string()) {
        refuse(file, where + ".form." + name + " must be a string");
      }
      // Encoded after filling in (buildWebhook), so keep the raw pairs.
      body += (body.empty() ? "" : "&") + sdk::encoding::formEncode(name) + "=" + value.get<std::string>();
    }
    webhook.body = body;
    webhook.contentType = "application/x-www-form-urlencoded";
  } else {
    webhook.body = stringAt(json, "body", "", file, where);
  }
  webhook.contentType = stringAt(json, "content_type", webhook.contentType, file, where);
  const std::string phase = stringAt(json, "phase", "live", file, where);
  if (phase != "live" && phase != "ending") {
    refuse(file, where +
                     ".phase must be \"live\" (the default: sent while the call is up) or \"ending\" (sent "
                     "after the participant updates)");
  }
  webhook.ending = phase == "ending";
  if (json.contains("expect")) {
    const auto& expect = json["expect"];
    if (!expect.is_object()) {
      refuse(file, where + ".expect must be an object");
    }
    if (expect.contains("status")) {
      if (!expect["status"].is_number_integer()) {
        refuse(file, where + ".expect.status must be an integer");
      }
      webhook.expectStatus = expect["status"].get<int>();
    }
    for (const auto& event : expect.value("events", nlohmann::json::array())) {
      if (!event.is_object() || !event.contains("type") || !event["type"].is_string()) {
        refuse(file, where + ".expect.events: each needs a \"type\"");
      }
      webhook.expectEvents.push_back(
          {event["type"].get<std::string>(), event.value("leg", std::string()), event.value("cause", std::string())});
    }
  }
  return webhook;
}

/// Twilio's rule for form bodies, which other carriers copy: each key with
/// its values, keys in byte order, a key's values sorted.
std::string sortedForm(const std::string& body) {
  std::set<std::pair<std::string, std::string>> pairs;
  for (const auto& pair : sdk::encoding::parseForm(body)) {
    pairs.insert(pair);
  }
  std::string out;
  for (const auto& [key, value] : pairs) {
    out += key + value;
  }
  return out;
}

std::string encoded(const std::string& bytes, const std::string& encoding) {
  return encoding == "hex" ? core::crypto::toHex(bytes) : sdk::encoding::base64Encode(bytes);
}

/// A form body's values filled in and encoded; a JSON value filled in with
/// the values escaped for a JSON string.
std::string fillBody(const FixtureWebhook& webhook, const Placeholders& values) {
  if (webhook.contentType == "application/x-www-form-urlencoded") {
    Placeholders encodedValues;
    for (const auto& [name, value] : values) {
      encodedValues[name] = sdk::encoding::formEncode(value);
    }
    return fillIn(webhook.body, encodedValues);
  }
  if (webhook.contentType == "application/json") {
    // A JSON string that is only a time placeholder becomes the number
    // itself ("occurred_at_ms": "{timestamp_ms}" -> 1764800000000).
    std::string body = webhook.body;
    for (const char* name : {"timestamp", "timestamp_ms"}) {
      const std::string quoted = std::string("\"{") + name + "}\"";
      for (size_t at = body.find(quoted); at != std::string::npos; at = body.find(quoted, at)) {
        body.replace(at, quoted.size(), values.at(name));
      }
    }
    Placeholders escaped;
    for (const auto& [name, value] : values) {
      const std::string quoted = nlohmann::json(value).dump();
      escaped[name] = quoted.substr(1, quoted.size() - 2);
    }
    return fillIn(body, escaped);
  }
  return fillIn(webhook.body, values);
}

}  // namespace

WebhookFixture readFixture(const std::filesystem::path& file, const nlohmann::json& pluginConfig) {
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  if (error) {
    refuse(file, "cannot be read: " + error.message());
  }
  if (size > kMaxFixtureBytes) {
    refuse(file, "is " + std::to_string(size) + " bytes; a fixture is at most 1 MiB");
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json;
  try {
    json = sdk::json::parseBounded(text.str());
  } catch (const std::exception& e) {
    refuse(file, std::string("is not valid JSON: ") + e.what());
  }
  if (!json.is_object()) {
    refuse(file, "must be a JSON object with \"signing\" and \"webhooks\"");
  }
  WebhookFixture fixture;
  fixture.file = file;
  fixture.signing = readSigning(json.value("signing", nlohmann::json()), pluginConfig, file);
  const auto& values = json.value("values", nlohmann::json::object());
  if (!values.is_object()) {
    refuse(file, "\"values\" must be an object: name -> template, or name -> {\"base64\": template}");
  }
  // Each is filled in from the built-in placeholders only (not from each
  // other), so their order does not matter.
  for (const auto& [name, value] : values.items()) {
    DerivedValue derived{name, "", ""};
    if (value.is_string()) {
      derived.text = value.get<std::string>();
    } else if (value.is_object() && value.size() == 1 && value.begin().value().is_string() &&
               (value.contains("base64") || value.contains("base64url") || value.contains("hex"))) {
      derived.encoding = value.begin().key();
      derived.text = value.begin().value().get<std::string>();
    } else {
      refuse(file, "values." + name + " must be a template string or {\"base64\"|\"base64url\"|\"hex\": template}");
    }
    fixture.values.push_back(std::move(derived));
  }
  const auto& webhooks = json.value("webhooks", nlohmann::json());
  if (!webhooks.is_array() || webhooks.empty()) {
    refuse(file, "\"webhooks\" must be a non-empty array");
  }
  if (webhooks.size() > kMaxWebhooks) {
    refuse(file, "has " + std::to_string(webhooks.size()) + " webhooks; at most " + std::to_string(kMaxWebhooks));
  }
  for (size_t i = 0; i < webhooks.size(); ++i) {
    fixture.webhooks.push_back(readWebhook(webhooks[i], i, file));
  }
  return fixture;
}

Placeholders withDerived(const WebhookFixture& fixture, Placeholders values) {
  const Placeholders builtIn = values;
  for (const auto& derived : fixture.values) {
    const std::string text = fillIn(derived.text, builtIn);
    if (derived.encoding == "base64") {
      values[derived.name] = sdk::encoding::base64Encode(text);
    } else if (derived.encoding == "base64url") {
      values[derived.name] = sdk::encoding::base64UrlEncode(text);
    } else if (derived.encoding == "hex") {
      values[derived.name] = core::crypto::toHex(text);
    } else {
      values[derived.name] = text;
    }
  }
  return values;
}

std::string fillIn(const std::string& text, const Placeholders& values) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find('{', at);
    if (open == std::string::npos) {
      break;
    }
    const size_t close = text.find('}', open + 1);
    if (close == std::string::npos) {
      break;
    }
    const auto found = values.find(text.substr(open + 1, close - open - 1));
    if (found == values.end()) {
      // Not ours (a JSON brace, a literal): keep it and look further on.
      out += text.substr(at, open + 1 - at);
      at = open + 1;
      continue;
    }
    out += text.substr(at, open - at) + found->second;
    at = close + 1;
  }
  out += text.substr(at);
  return out;
}

sdk::HttpRequest buildWebhook(const WebhookFixture& fixture, const FixtureWebhook& webhook, const Placeholders& values,
                              const std::string& webhookBaseUrl, int64_t timestampS, bool sign) {
  Placeholders filled = values;
  filled["timestamp"] = std::to_string(timestampS);
  filled["timestamp_ms"] = std::to_string(timestampS * 1000);

  sdk::HttpRequest request;
  request.method = webhook.method;
  const std::string target = fillIn(webhook.path, filled);
  request.url = webhookBaseUrl + target;
  // The path and query as the host's router hands them over: the path
  // from the public URL's own path on.
  const size_t scheme = request.url.find("://");
  const size_t pathStart = request.url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::string pathAndQuery = pathStart == std::string::npos ? "/" : request.url.substr(pathStart);
  const size_t question = pathAndQuery.find('?');
  request.path = pathAndQuery.substr(0, question);
  request.query = question == std::string::npos ? "" : pathAndQuery.substr(question + 1);
  request.remoteAddr = "127.0.0.1";
  request.body = fillBody(webhook, filled);
  if (!webhook.contentType.empty()) {
    request.headers.emplace_back("Content-Type", webhook.contentType);
  }
  if (!sign) {
    return request;
  }
  const Signing& signing = fixture.signing;
  Placeholders message = {{"url", request.url},
                          {"body", request.body},
                          {"timestamp", std::to_string(timestampS)},
                          {"sorted_form", sortedForm(request.body)}};
  const std::string signed_ = fillIn(signing.message, message);
  std::string signature;
  if (signing.scheme == "ed25519") {
    signature = core::crypto::ed25519Sign(signing.key, signed_);
  } else {
    signature = core::crypto::hmac(signing.scheme == "hmac-sha1" ? "sha1" : "sha256", signing.key, signed_);
  }
  request.headers.emplace_back(signing.header, signing.prefix + encoded(signature, signing.encoding));
  if (!signing.timestampHeader.empty()) {
    request.headers.emplace_back(signing.timestampHeader, std::to_string(timestampS));
  }
  return request;
}

std::vector<std::string> signatureHeaders(const Signing& signing) {
  std::vector<std::string> names = {signing.header};
  if (!signing.timestampHeader.empty()) {
    names.push_back(signing.timestampHeader);
  }
  return names;
}

}  // namespace sb::host::conformance

#include "app/ConfigKeys.h"

#include <map>

namespace sb::host {
namespace {

using core::ConfigKey;
using core::ConfigType;

ConfigKey text(std::string name, std::string value, std::string meaning) {
  ConfigKey key;
  key.name = std::move(name);
  key.defaultValue = std::move(value);
  key.meaning = std::move(meaning);
  return key;
}

ConfigKey integer(std::string name, int64_t value, int64_t min, int64_t max, std::string meaning) {
  ConfigKey key = text(std::move(name), std::to_string(value), std::move(meaning));
  key.type = ConfigType::Integer;
  key.min = min;
  key.max = max;
  return key;
}

ConfigKey boolean(std::string name, bool value, std::string meaning) {
  ConfigKey key = text(std::move(name), value ? "true" : "false", std::move(meaning));
  key.type = ConfigType::Boolean;
  return key;
}

ConfigKey choice(std::string name, std::string value, std::vector<std::string> choices, std::string meaning) {
  ConfigKey key = text(std::move(name), std::move(value), std::move(meaning));
  key.type = ConfigType::Choice;
  key.choices = std::move(choices);
  return key;
}

ConfigKey described(ConfigKey key, std::string defaultText) {
  key.defaultText = std::move(defaultText);
  return key;
}

ConfigKey secret(ConfigKey key) {
  key.secret = true;
  return key;
}

constexpr int64_t kMaxInt = 2147483647;

std::vector<ConfigKey> makeKeys() {
  return {
      text("provider", "sim", "the active provider plugin id (`switchboard plugins` lists them)"),
      described(
          text("public_base_url", "", "where providers reach this host; webhook signatures are checked against it"),
          "`http://<http.host>:<http.port>`"),
      text("http.host", "127.0.0.1", "listening address"),
      integer("http.port", 8080, 0, 65535, "listening port (`0` picks a free port)"),
      integer("http.io_threads", 1, 1, 64,
              "threads that read and write connections (epoll, Boost.Beast); idle keep-alive connections cost no "
              "thread"),
      integer("http.max_threads", 256, 1, 4096,
              "the most route handlers running at once (a handler may wait on the provider); threads start on "
              "demand. A webhook waiting for its commit holds none"),
      integer("http.max_queued", 256, 0, 1000000,
              "requests waiting for a handler thread beyond those; past it 503 `UNAVAILABLE`"),
      integer("http.max_connections", 4096, 1, 1000000,
              "open connections; new ones beyond are closed (logged once per 10 s). At start the host raises its "
              "soft open-file limit to the hard one and lowers this to the limit less 128 (with a warning) if the "
              "limit is smaller: give the service `LimitNOFILE=` above it"),
      integer("http.max_connections_per_client", 256, 1, 1000000,
              "open connections from one client address; new ones beyond are closed, so one client cannot fill "
              "`http.max_connections` (behind a proxy every client has the proxy's address: raise it there)"),
      integer("http.max_uploads", 8, 1, 1024,
              "CSV uploads whose body is still arriving, in all; each holds a handler thread while it streams. "
              "Beyond it `503 UNAVAILABLE` with `Retry-After: 5`, answered from the request head"),
      integer("http.max_uploads_per_client", 2, 1, 1024,
              "CSV uploads still arriving from one client address; beyond it `429 RATE_LIMITED`"),
      integer("http.body_min_bytes_per_s", 1024, 1, kMaxInt,
              "an upload must average this rate once it has taken longer than `http.body_grace_s`; a slower one is "
              "cut off with `408 REQUEST_TIMEOUT` (slow-upload attacks)"),
      integer("http.body_grace_s", 10, 1, 3600, "how long an upload may run before its rate is checked"),
      integer("http.max_json_depth", 64, 2, 1000,
              "arrays and objects in a JSON body nest at most this deep; deeper bodies get `400 VALIDATION_ERROR`"),
      integer("http.keep_alive_timeout_s", 5, 1, 3600,
              "time allowed for the next request (its head) on a connection; idle ones are closed after it"),
      integer("http.io_timeout_s", 30, 1, 3600, "time allowed to read a request body or write a response"),
      integer("http.max_body_bytes", 1048576, 1024, kMaxInt,
              "default request body limit (413 `PAYLOAD_TOO_LARGE` above it); webhooks: 256 KiB"),
      boolean("http.log_requests", true, "one structured log line per request (phone numbers masked)"),
      text("database.path", "var/switchboard.db",
           "SQLite database (WAL); created and migrated at start. Used when `database.url` is empty"),
      secret(described(text("database.url", "",
                            "PostgreSQL database that several hosts share, as a libpq URL: "
                            "`postgresql://user:password@host:5432/name` (query parameters such as `sslmode` "
                            "pass through; a value may not contain a space). Empty: SQLite at `database.path`. "
                            "Migrated at start; the database must exist"),
                       "(SQLite)")),
      integer("database.pool_size", 4, 0, 64,
              "connections this host keeps for reads (history, timelines, stats, lists, the event feed, API-key "
              "lookups) beside its one writing connection, opened when first needed; reads wait for a free one. "
              "0: reads share the writer"),
      integer("database.checkpoint_ms", 250, 10, 60000,
              "how often the WAL checkpointer runs (writers never checkpoint on commit; a commit that finds the WAL "
              "past its threshold wakes it at once)"),
      choice("log.level", "info", {"trace", "debug", "info", "warn", "error", "off"}, "the least severe level logged"),
      choice("log.format", "text", {"text", "json"}, "`json`: one JSON object per line"),
      described(text("log.file", "", "log to this file instead of stderr"), "(stderr)"),
      integer("plugins.operation_timeout_ms", 15000, 100, 600000,
              "a plugin operation (placing, ending, muting a call; a webhook) gets this long: the host's HTTP "
              "for it stops there, so the caller gets `503 PROVIDER_ERROR` naming the deadline instead of "
              "waiting out every timeout and retry"),
      integer("plugins.nonblocking_webhook_budget_ms", 100, 1, 60000,
              "a plugin that declares `webhooks_nonblocking` and takes longer over a webhook is logged and its "
              "webhooks moved to the worker pool (they ran on the I/O thread that serves every connection)"),
      described(text("plugins.path", "", "`:`-separated folders holding plugin folders"),
                "`<bin>/../lib/switchboard/plugins`"),
      described(text("web.root", "", "the folder the dialer page is served from"), "`<bin>/../share/switchboard/web`"),
      text("contacts.default_region", "US", "ISO 3166 region for numbers written without a country code"),
      integer("import.max_bytes", 209715200, 1024, 1LL << 40,
              "an import (CSV, or an .xlsx as uploaded) larger than this (200 MiB) is refused whole"),
      integer("import.max_rows", 1000000, 1, 100000000,
              "an import (CSV or a workbook's sheet) with more data rows is refused whole"),
      described(text("import.spool_dir", "",
                     "where an upload is copied whole before its import writes to the database (a slow upload "
                     "never holds the write lock calls need); needs room for `import.max_bytes` per upload in "
                     "progress (`http.max_uploads`)"),
                "the system's temporary directory (`$TMPDIR`, else `/tmp`)"),
      integer("auth.session_idle_s", 28800, 60, 604800,
              "a person's session ends after this many seconds without a request (the page keeps it alive while "
              "open)"),
      integer("auth.session_max_s", 43200, 300, 2592000,
              "and every session ends this many seconds after sign-in, used or not; the person signs in again"),
      integer("auth.key_cache_ms", 5000, 0, 3600000,
              "how long a checked API key is trusted before it is looked up again; a revocation takes effect within "
              "this time"),
      integer("auth.failures_per_minute", 30, 1, 1000000,
              "presented keys that fail per client address and minute; past it every keyed request from that "
              "address gets `429 RATE_LIMITED` with `Retry-After` until the budget refills (a missing key is not "
              "counted)"),
      integer("ratelimit.default_per_minute", 600, 1, 10000000, "requests per key and route and minute"),
      described(integer("ratelimit.*", 600, 1, 10000000,
                        "`ratelimit.<route name>` overrides `ratelimit.default_per_minute` for one route (route "
                        "names: docs/HTTP_API.md; a name of no route stops the host; from the environment the "
                        "name's dots are `_`: `SWITCHBOARD_RATELIMIT_COLDCALL_INITIATE`)"),
                "`ratelimit.default_per_minute`"),
      integer("outbound.connect_timeout_ms", 5000, 100, 600000, "plugin HTTP requests: connect timeout"),
      integer("outbound.request_timeout_ms", 15000, 100, 600000,
              "plugin HTTP requests: whole-request timeout (a plugin may ask for less)"),
      boolean("outbound.verify_tls", true, "verify provider TLS certificates"),
      integer("outbound.max_idle_per_host", 8, 0, 1000,
              "kept-alive connections per provider host (0: a new connection, and TLS handshake, per request)"),
      integer("outbound.idle_timeout_ms", 30000, 1000, 600000,
              "an idle kept-alive connection older than this is closed, not reused"),
      integer("outbound.failure_retries", 1, 0, 5,
              "resends of a request that got no answer or a 500/502/503/504, only when repeating it is harmless "
              "(GET, HEAD, OPTIONS, or an `Idempotency-Key` header)"),
      integer("outbound.rate_limit_retries", 2, 0, 5,
              "resends of a `429` (not carried out by the provider) after its `Retry-After` / `X-RateLimit-Reset`"),
      integer("outbound.max_retry_wait_ms", 2000, 0, 600000,
              "a `429` asking for a longer wait goes back to the caller as `RATE_LIMITED`"),
      described(text("calls.caller_ids", "",
                     "E.164 caller IDs, comma-separated; a request's `from` is used when it is one of them, else the "
                     "first; none: the provider's own default"),
                "(none)"),
      described(text("calls.dispositions", "",
                     "outcomes an agent may log, comma-separated (default `connected_interested`, "
                     "`connected_not_interested`, `meeting_booked`, `callback_requested`, `no_answer`, "
                     "`voicemail_left`, `busy`, `wrong_number`, `gatekeeper`, `do_not_call`)"),
                "the default set"),
      integer("calls.ring_timeout_s", 30, 1, 600, "how long the provider lets the contact's phone ring"),
      integer("calls.status_check_s", 60, 0, 86400,
              "every live call is checked with the provider this often (one host does it, under the sweep's "
              "lease); a call the provider reports over is closed (`call.reconciled`): its end webhook was lost. At "
              "most 20 provider requests per pass, every 5 s or less. `0`: no checks"),
      integer("calls.agent_join_timeout_s", 15, 0, 3600,
              "an answered contact whose agent has not joined the bridge after this many seconds is hung up; the "
              "call ends `completed` with result `abandoned` and no talk time. An agent whose page drops mid-call (a "
              "reload, a crash) has as long to come back before the call is ended (`0`: never hang up an unjoined "
              "contact, and end the call as soon as the agent leaves)"),
      integer("calls.max_active", 1000, 1, 1000000,
              "calls in progress at once, every agent and key together; past it `POST /api/v1/calls` and "
              "`/initiate` answer `503 UNAVAILABLE` with `Retry-After: 5` until one ends. The one bound on the admin "
              "board's calls placed without `agent_id` (besides the rate limits)"),
      integer("calls.credential_ttl_s", 3600, 60, 86400, "lifetime of the browser credential for the agent's leg"),
      text("calls.conference_prefix", "COLD_CALL_", "friendly names are `<prefix><date>_<id>`"),
      integer("calls.journal_linger_us", 200, 0, 100000,
              "group commit: under load, when fewer than `calls.journal_linger_below` writes wait, the writer waits "
              "this long for more to share the commit (a lone write never waits)"),
      integer("calls.journal_linger_below", 16, 0, 100000, "see `calls.journal_linger_us`"),
      text("coldcall.prefix", "/api/v1/cold-call", "where the admin board's cold-call API lives"),
      described(text("webrtc.ice_servers", "", "STUN/TURN URLs for the browser when the provider gives none"),
                "(none)"),
      integer("sse.heartbeat_ms", 15000, 100, 3600000, "heartbeat comment on an idle event stream"),
      integer("sse.batch_ms", 100, 0, 1000,
              "under load, events that come within this long of a stream's last write share its next write (the "
              "first after a quiet spell goes at once): one send per stream per window instead of one per event "
              "keeps the I/O thread free for requests (docs/BENCHMARKS.md, event streams)"),
      integer("sse.max_clients", 256, 1, 1000000, "open event streams at most (`503` beyond)"),
      integer("sse.max_clients_per_key", 32, 1, 1000000,
              "open event streams per API key (`429` beyond), so one key cannot lock the others out"),
      integer("sse.replay_limit", 1000, 1, 1000000, "events replayed at most on a resume"),
      boolean("metrics.require_key", false, "`true`: `/metrics` needs an admin key"),
  };
}

}  // namespace

const std::vector<core::ConfigKey>& hostConfigKeys() {
  static const std::vector<core::ConfigKey> keys = makeKeys();
  return keys;
}

core::Settings defaultSettings() {
  std::map<std::string, std::string> defaults;
  for (const auto& key : hostConfigKeys()) {
    if (!key.isPattern()) {
      defaults.emplace(key.name, key.defaultValue);
    }
  }
  return core::Settings(defaults);
}

std::string databaseTarget(const core::Settings& settings) {
  const std::string url = settings.getString("database.url", "");
  return url.empty() ? settings.getString("database.path") : url;
}

}  // namespace sb::host

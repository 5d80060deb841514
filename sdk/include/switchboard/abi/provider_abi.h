/*
 * Switchboard provider ABI, major version 1.
 *
 * This header is the only binary contract between the Switchboard host and a
 * provider plugin. It is C99, uses fixed-width types only, and follows these
 * rules (see sdk/docs/ABI_POLICY.md for the full policy):
 *
 *  - Strings are UTF-8 views (sb_str): pointer + length, not NUL-terminated
 *    unless stated, and BORROWED: valid only until the call that received
 *    them returns. Copy what you keep.
 *  - Every struct that may grow starts with `uint32_t struct_size`. Fields
 *    are only ever appended; a reader must check struct_size before reading
 *    a field added in a later minor version.
 *  - Only status codes cross the boundary, never exceptions. Every fallible
 *    function returns an int32_t SB_STATUS_* and fills a caller-owned
 *    sb_error.
 *  - Whoever allocates, frees. Results travel through writer callbacks owned
 *    by the caller (sb_writer, sb_http_response_sink); neither side ever
 *    frees memory the other allocated. Long-lived objects are opaque handles
 *    with a paired destroy function.
 *  - Rich payloads (operation requests/results, canonical call events) are
 *    versioned JSON documents described by the JSON Schemas in sdk/schema/.
 */
#ifndef SWITCHBOARD_ABI_PROVIDER_ABI_H
#define SWITCHBOARD_ABI_PROVIDER_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SB_ABI_MAJOR 1
#define SB_ABI_MINOR 1

/* Calling convention of every function pointer in this header. Empty on the
 * platforms we support today; a placeholder so that a Windows port can pin
 * one without changing any declaration. */
#ifndef SB_ABI
#define SB_ABI
#endif

/* Marks the one symbol a plugin exports. */
#if defined(_WIN32)
#define SB_PLUGIN_EXPORT __declspec(dllexport)
#else
#define SB_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* ---- Status codes ------------------------------------------------------ */
/* New codes may be added in minor versions; a reader maps a code it does not
 * know to SB_STATUS_INTERNAL. */
#define SB_STATUS_OK 0
#define SB_STATUS_INVALID_ARGUMENT 1  /* the request is malformed or a field is invalid */
#define SB_STATUS_NOT_FOUND 2         /* the call, conference or participant does not exist */
#define SB_STATUS_UNAUTHENTICATED 3   /* bad provider credentials or a bad webhook signature */
#define SB_STATUS_PERMISSION_DENIED 4 /* credentials valid but not allowed */
#define SB_STATUS_UNSUPPORTED 5       /* the operation is not implemented by this provider */
#define SB_STATUS_UNAVAILABLE 6       /* retryable: upstream timeout, reset or 5xx */
#define SB_STATUS_RATE_LIMITED 7      /* upstream said 429; see sb_error.retry_after_ms */
#define SB_STATUS_PROVIDER_REJECTED 8 /* upstream refused the business request (4xx) */
#define SB_STATUS_INTERNAL 9          /* a bug or an unexpected state */
#define SB_STATUS_INVALID_PHONE 10    /* the provider says the phone number cannot be dialed */

/* ---- Log levels ---------------------------------------------------------- */
#define SB_LOG_TRACE 0
#define SB_LOG_DEBUG 1
#define SB_LOG_INFO 2
#define SB_LOG_WARN 3
#define SB_LOG_ERROR 4

/* ---- Basic types ---------------------------------------------------------- */

/* A borrowed UTF-8 string view. `data` may be NULL only when `size` is 0. */
typedef struct sb_str {
  const char* data;
  size_t size;
} sb_str;

#define SB_ERROR_MESSAGE_CAPACITY 1024

/* Error details for a failed call. OWNERSHIP: allocated by the caller, filled
 * by the callee. The callee writes a NUL-terminated message (truncated to
 * fit) and, for SB_STATUS_RATE_LIMITED, a retry hint in milliseconds
 * (0 = unknown). `provider_code` carries the provider's own error code as a
 * NUL-terminated string when there is one (for example "21217"). */
typedef struct sb_error {
  uint32_t struct_size;
  int32_t status;
  int64_t retry_after_ms;
  char provider_code[32];
  char message[SB_ERROR_MESSAGE_CAPACITY];
} sb_error;

/* A sink for a byte stream (a JSON document, a token). OWNERSHIP: the side
 * that asks for the result allocates the writer and owns `ctx`; the callee
 * calls `write` zero or more times, each chunk borrowed for that call only.
 * THREADING: called on the thread that made the call. */
typedef struct sb_writer {
  void* ctx;
  void(SB_ABI* write)(void* ctx, sb_str chunk);
} sb_writer;

/* One HTTP header. Both views are borrowed. */
typedef struct sb_header {
  sb_str name;
  sb_str value;
} sb_header;

/* An HTTP request, inbound (a webhook handed to a plugin) or outbound (a
 * request a plugin asks the host to send). Every view is borrowed for the
 * duration of the call that received the struct.
 *  - Inbound: `url` is the public URL the provider called, rebuilt by the
 *    host from its configured public_base_url + path + query (this is what
 *    providers sign); `path` and `query` are as received; `remote_addr` is
 *    the peer address. `timeout_ms` is 0.
 *  - Outbound: `url` is the absolute http(s) URL to call; `path`, `query`
 *    and `remote_addr` are ignored; `timeout_ms` is the whole-request
 *    timeout (0 = host default). */
typedef struct sb_http_request {
  uint32_t struct_size;
  sb_str method;
  sb_str url;
  sb_str path;
  sb_str query;
  sb_str remote_addr;
  const sb_header* headers;
  size_t header_count;
  sb_str body;
  uint32_t timeout_ms;
} sb_http_request;

/* A sink for an HTTP response. OWNERSHIP: allocated by the side that wants
 * the response (the plugin for http_send, the host for on_webhook); the
 * other side calls `on_status` once, `on_header` for each header, then
 * `on_body` zero or more times. Every view is borrowed for that callback. */
typedef struct sb_http_response_sink {
  uint32_t struct_size;
  void* ctx;
  void(SB_ABI* on_status)(void* ctx, int32_t status);
  void(SB_ABI* on_header)(void* ctx, sb_str name, sb_str value);
  void(SB_ABI* on_body)(void* ctx, sb_str chunk);
} sb_http_response_sink;

/* ---- Host services --------------------------------------------------------- */

/* Services the host offers a plugin instance. OWNERSHIP: owned by the host;
 * valid from create() until destroy() returns. THREADING: every function is
 * thread-safe and may be called from any thread, including threads the
 * plugin started. */
typedef struct sb_host_api {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  void* ctx; /* pass back as the first argument of every function below */

  /* Writes one log line under the plugin's own logger. Never fails. The
   * host may drop lines below its configured level. */
  void(SB_ABI* log)(void* ctx, int32_t level, sb_str message);

  /* Looks up `key` in the plugin's configuration section and writes its
   * value to `value`. Returns SB_STATUS_OK or SB_STATUS_NOT_FOUND. */
  int32_t(SB_ABI* config_get)(void* ctx, sb_str key, sb_writer* value);

  /* Sends an outbound HTTP(S) request and streams the response into
   * `response`. Blocks until the response is complete or the timeout
   * expires. Returns SB_STATUS_OK when a response arrived, whatever its
   * HTTP status; SB_STATUS_UNAVAILABLE on connection failure or timeout;
   * SB_STATUS_INVALID_ARGUMENT for a bad URL or method. */
  int32_t(SB_ABI* http_send)(void* ctx, const sb_http_request* request, sb_http_response_sink* response,
                             sb_error* error);

  /* Wall-clock time as milliseconds since the Unix epoch. */
  int64_t(SB_ABI* clock_now_ms)(void* ctx);

  /* Returns the extension table with the given NUL-terminated id (for
   * example "sb.crypto.v1"), or NULL when the host does not offer it. The
   * table is owned by the host and valid as long as this sb_host_api. */
  const void*(SB_ABI* get_extension)(void* ctx, const char* id);
} sb_host_api;

/* Extension "sb.crypto.v1": primitives for webhook signatures and tokens,
 * so that a plugin needs no crypto library of its own. */
#define SB_EXTENSION_CRYPTO_V1 "sb.crypto.v1"
typedef struct sb_crypto_v1 {
  uint32_t struct_size;
  /* HMAC over `data` with `key`; `algorithm` is "sha1" or "sha256". Writes
   * the raw MAC bytes. Returns OK or INVALID_ARGUMENT. */
  int32_t(SB_ABI* hmac)(void* ctx, sb_str algorithm, sb_str key, sb_str data, sb_writer* mac);
  /* Message digest of `data`; `algorithm` is "sha1" or "sha256". Writes the
   * raw digest bytes. Returns OK or INVALID_ARGUMENT. */
  int32_t(SB_ABI* digest)(void* ctx, sb_str algorithm, sb_str data, sb_writer* out);
  /* Verifies an Ed25519 signature. `public_key` is the raw 32-byte key and
   * `signature` the raw 64-byte signature. Returns OK when it verifies,
   * UNAUTHENTICATED when it does not, INVALID_ARGUMENT on bad sizes. */
  int32_t(SB_ABI* ed25519_verify)(void* ctx, sb_str public_key, sb_str message, sb_str signature);
  /* Fills `out` with `size` cryptographically secure random bytes. */
  int32_t(SB_ABI* random_bytes)(void* ctx, uint8_t* out, size_t size);
} sb_crypto_v1;

/* Extension "sb.state.v1" (ABI 1.1): a small key-value store for what a
 * plugin keeps between webhooks and operations (a leg's id learned from a
 * callback, a conference's id, a call given up on). The host keeps it in its
 * database, so every host that shares the database sees the same values and
 * a webhook or an operation for a call may reach any of them. Keys are per
 * plugin id: two plugins never see each other's keys.
 * Limits: a key is 1 to SB_STATE_MAX_KEY bytes, a value at most
 * SB_STATE_MAX_VALUE bytes of UTF-8 text without NUL (JSON suits it), a
 * time to live 1 ms to SB_STATE_MAX_TTL_MS. An expired value reads as
 * NOT_FOUND and is deleted later. Every function may block on the database
 * (milliseconds): a plugin that declares webhooks_nonblocking must not call
 * it from on_webhook. A value written by one call is read by the next,
 * whichever host runs it; there are no transactions across keys. */
#define SB_EXTENSION_STATE_V1 "sb.state.v1"
#define SB_STATE_MAX_KEY 256
#define SB_STATE_MAX_VALUE 65536
#define SB_STATE_MAX_TTL_MS 604800000 /* 7 days */
typedef struct sb_state_v1 {
  uint32_t struct_size;
  /* Writes the value stored under `key` to `value`. Returns OK, NOT_FOUND
   * (never stored, removed or expired), INVALID_ARGUMENT (a bad key) or
   * UNAVAILABLE (the database could not be reached). */
  int32_t(SB_ABI* get)(void* ctx, sb_str key, sb_writer* value);
  /* Stores `value` under `key` for `ttl_ms`, replacing what was there.
   * Returns OK, INVALID_ARGUMENT (key, value or ttl outside the limits) or
   * UNAVAILABLE. */
  int32_t(SB_ABI* put)(void* ctx, sb_str key, sb_str value, int64_t ttl_ms);
  /* Removes `key`. Returns OK (also when nothing was stored),
   * INVALID_ARGUMENT or UNAVAILABLE. */
  int32_t(SB_ABI* remove)(void* ctx, sb_str key);
  /* Stores `value` under `key` for `ttl_ms` only if no unexpired value is
   * there, and writes the value stored now to `current`: `value` when this
   * caller won, another's when someone got there first. Of several callers
   * on any hosts, exactly one wins: for "only one of us does this" (create
   * a conference once). Returns OK, INVALID_ARGUMENT or UNAVAILABLE. */
  int32_t(SB_ABI* claim)(void* ctx, sb_str key, sb_str value, int64_t ttl_ms, sb_writer* current);
} sb_state_v1;

/* ---- The provider table --------------------------------------------------- */

/* What a plugin implements. OWNERSHIP: static storage inside the plugin,
 * valid while the library is loaded (the host never unloads it in
 * production). Every string is NUL-terminated and UTF-8. */
typedef struct sb_provider_api {
  uint32_t struct_size;
  uint32_t abi_major; /* must equal the major of the entry symbol */
  uint32_t abi_minor; /* the minor the plugin was built against */

  const char* id;                /* short provider id, [a-z0-9_-]+, e.g. "twilio" */
  const char* display_name;      /* e.g. "Twilio" */
  const char* version;           /* the plugin's own semantic version */
  const char* capabilities_json; /* JSON object, see sdk/schema/capabilities.schema.json */

  /* REQUIRED. Creates an instance. `config_json` is the plugin's
   * configuration section as a JSON object (borrowed). Returns an opaque
   * handle, or NULL with `error` filled. THREADING: called on the host's
   * control thread, never concurrently with any other call on the instance.
   * `host` stays valid until destroy() returns. */
  void*(SB_ABI* create)(const sb_host_api* host, sb_str config_json, sb_error* error);

  /* REQUIRED. Destroys an instance; must join every thread the instance
   * started. THREADING: control thread; no other call is in flight. */
  void(SB_ABI* destroy)(void* self);

  /* REQUIRED. Runs one operation ("call.start", "call.end", ...; see
   * sdk/schema/). `request_json` is a JSON object (borrowed); the result
   * JSON object is written to `result_json`. Returns an SB_STATUS_*; an
   * unknown operation returns SB_STATUS_UNSUPPORTED. THREADING: may be
   * called concurrently from several host threads. */
  int32_t(SB_ABI* invoke)(void* self, sb_str operation, sb_str request_json, sb_writer* result_json, sb_error* error);

  /* REQUIRED. Handles an inbound provider webhook: verifies its signature,
   * writes a JSON array of canonical call events (possibly empty) to
   * `events_json`, and writes the HTTP reply the provider expects to
   * `reply`. A bad signature returns SB_STATUS_UNAUTHENTICATED and writes
   * no events. THREADING: may be called concurrently. A provider whose
   * capabilities say "webhooks_nonblocking": true promises that this
   * function never blocks or waits (no http_send, no sleep, no lock held
   * across I/O): the host may then call it on its HTTP I/O thread, where a
   * blocking call would stall other connections. */
  int32_t(SB_ABI* on_webhook)(void* self, const sb_http_request* request, sb_writer* events_json,
                              sb_http_response_sink* reply, sb_error* error);
} sb_provider_api;

/* The entry symbol for ABI major 1. The host passes the ABI version it
 * implements; the plugin returns its static table, or NULL when it cannot
 * work with that host (for example, it needs a newer minor). Must be cheap
 * and side-effect free: it may be called more than once. */
typedef const sb_provider_api*(SB_ABI* sb_provider_entry_v1_fn)(uint32_t host_abi_major, uint32_t host_abi_minor);
#define SB_PROVIDER_ENTRY_V1_SYMBOL "sb_provider_entry_v1"

#ifdef __cplusplus
}
#endif

#endif /* SWITCHBOARD_ABI_PROVIDER_ABI_H */

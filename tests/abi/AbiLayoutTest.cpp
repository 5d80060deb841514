// The ABI's layout, frozen for x86-64 (LP64): a change here is an ABI break
// and fails the build (VST3 typesizecheck.h idea). Fields may only be
// appended, which grows a size but moves no offset.
#include <switchboard/abi/provider_abi.h>

#include <catch2/catch.hpp>

#include <cstddef>

#if defined(__x86_64__) && defined(__LP64__)
#define SB_CHECK(type, size) static_assert(sizeof(type) == (size), #type " size changed: ABI break")
#define SB_OFFSET(type, field, offset) \
  static_assert(offsetof(type, field) == (offset), #type "." #field " moved: ABI break")

SB_CHECK(sb_str, 16);
SB_OFFSET(sb_str, data, 0);
SB_OFFSET(sb_str, size, 8);

SB_CHECK(sb_error, 1072);
SB_OFFSET(sb_error, struct_size, 0);
SB_OFFSET(sb_error, status, 4);
SB_OFFSET(sb_error, retry_after_ms, 8);
SB_OFFSET(sb_error, provider_code, 16);
SB_OFFSET(sb_error, message, 48);

SB_CHECK(sb_writer, 16);
SB_OFFSET(sb_writer, write, 8);
SB_CHECK(sb_header, 32);

SB_CHECK(sb_http_request, 128);
SB_OFFSET(sb_http_request, method, 8);
SB_OFFSET(sb_http_request, url, 24);
SB_OFFSET(sb_http_request, path, 40);
SB_OFFSET(sb_http_request, query, 56);
SB_OFFSET(sb_http_request, remote_addr, 72);
SB_OFFSET(sb_http_request, headers, 88);
SB_OFFSET(sb_http_request, header_count, 96);
SB_OFFSET(sb_http_request, body, 104);
SB_OFFSET(sb_http_request, timeout_ms, 120);

SB_CHECK(sb_http_response_sink, 40);
SB_OFFSET(sb_http_response_sink, ctx, 8);
SB_OFFSET(sb_http_response_sink, on_status, 16);
SB_OFFSET(sb_http_response_sink, on_header, 24);
SB_OFFSET(sb_http_response_sink, on_body, 32);

SB_CHECK(sb_host_api, 64);
SB_OFFSET(sb_host_api, abi_major, 4);
SB_OFFSET(sb_host_api, abi_minor, 8);
SB_OFFSET(sb_host_api, ctx, 16);
SB_OFFSET(sb_host_api, log, 24);
SB_OFFSET(sb_host_api, config_get, 32);
SB_OFFSET(sb_host_api, http_send, 40);
SB_OFFSET(sb_host_api, clock_now_ms, 48);
SB_OFFSET(sb_host_api, get_extension, 56);

SB_CHECK(sb_crypto_v1, 40);
SB_OFFSET(sb_crypto_v1, hmac, 8);
SB_OFFSET(sb_crypto_v1, digest, 16);
SB_OFFSET(sb_crypto_v1, ed25519_verify, 24);
SB_OFFSET(sb_crypto_v1, random_bytes, 32);
SB_CHECK(sb_state_v1, 40);
SB_OFFSET(sb_state_v1, get, 8);
SB_OFFSET(sb_state_v1, put, 16);
SB_OFFSET(sb_state_v1, remove, 24);
SB_OFFSET(sb_state_v1, claim, 32);

SB_CHECK(sb_provider_api, 80);
SB_OFFSET(sb_provider_api, abi_major, 4);
SB_OFFSET(sb_provider_api, abi_minor, 8);
SB_OFFSET(sb_provider_api, id, 16);
SB_OFFSET(sb_provider_api, display_name, 24);
SB_OFFSET(sb_provider_api, version, 32);
SB_OFFSET(sb_provider_api, capabilities_json, 40);
SB_OFFSET(sb_provider_api, create, 48);
SB_OFFSET(sb_provider_api, destroy, 56);
SB_OFFSET(sb_provider_api, invoke, 64);
SB_OFFSET(sb_provider_api, on_webhook, 72);
#endif

extern "C" int sb_abi_c99_layout_ok(void);

TEST_CASE("the ABI header compiles as C99 with the same layout", "[abi]") {
  // abi_c99_check.c is compiled by the C compiler in C99 mode; it returns
  // 1 only if its own sizeof/offsetof view matches the one asserted above.
  REQUIRE(sb_abi_c99_layout_ok() == 1);
}

TEST_CASE("status codes and the ABI version are what the policy says", "[abi]") {
  STATIC_REQUIRE(SB_ABI_MAJOR == 1);
  STATIC_REQUIRE(SB_STATUS_OK == 0);
  STATIC_REQUIRE(SB_STATUS_INVALID_PHONE == 10);
  STATIC_REQUIRE(sizeof(sb_error::message) == SB_ERROR_MESSAGE_CAPACITY);
}

/* Compiled as C99: the ABI header must be plain C, and a C compiler must
 * see the same layout as the C++ side (AbiLayoutTest.cpp). */
#include <switchboard/abi/provider_abi.h>

#include <stddef.h>

int sb_abi_c99_layout_ok(void);

int sb_abi_c99_layout_ok(void) {
  return sizeof(sb_str) == 16 && sizeof(sb_error) == 1072 && offsetof(sb_error, message) == 48 &&
         sizeof(sb_http_request) == 128 && offsetof(sb_http_request, timeout_ms) == 120 &&
         sizeof(sb_http_response_sink) == 40 && sizeof(sb_host_api) == 64 &&
         offsetof(sb_host_api, get_extension) == 56 && sizeof(sb_crypto_v1) == 40 && sizeof(sb_state_v1) == 40 &&
         sizeof(sb_provider_api) == 80 && offsetof(sb_provider_api, on_webhook) == 72;
}

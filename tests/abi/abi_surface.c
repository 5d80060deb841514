/* The provider ABI as a library abidw can read: one exported function per
 * struct of switchboard/abi/provider_abi.h, so that every type the header
 * defines (and everything it reaches) lands in the library's debug info.
 * abidiff compares it with the baselines in sdk/abi/ (tests/CMakeLists.txt,
 * abi.*; scripts/abi-baseline.sh). A struct added by a later minor gets its
 * own function here, so that the 1.0 baseline sees an addition, never a
 * changed function. */
#include <switchboard/abi/provider_abi.h>

#define SB_SURFACE __attribute__((visibility("default")))

SB_SURFACE void sb_abi_surface_provider_api(const sb_provider_api* api) {
  (void)api;
}
SB_SURFACE void sb_abi_surface_host_api(const sb_host_api* host) {
  (void)host;
}
SB_SURFACE void sb_abi_surface_http_request(const sb_http_request* request) {
  (void)request;
}
SB_SURFACE void sb_abi_surface_http_response_sink(const sb_http_response_sink* sink) {
  (void)sink;
}
SB_SURFACE void sb_abi_surface_writer(const sb_writer* writer) {
  (void)writer;
}
SB_SURFACE void sb_abi_surface_error(const sb_error* error) {
  (void)error;
}
SB_SURFACE void sb_abi_surface_crypto_v1(const sb_crypto_v1* crypto) {
  (void)crypto;
}
#if SB_ABI_MINOR >= 1
SB_SURFACE void sb_abi_surface_state_v1(const sb_state_v1* state) {
  (void)state;
}
#endif
/* The entry's type, as the host calls it. */
SB_SURFACE sb_provider_entry_v1_fn sb_abi_surface_entry(void) {
  return 0;
}

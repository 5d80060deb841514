// Built as sb_add_provider_plugin() builds a plugin (SB_PLUGIN_ID,
// SB_PLUGIN_NAME and SB_PLUGIN_VERSION defined), with SB_DEFINE_PROVIDER
// given SB_TEST_ID: it compiles when that is the declared id and must not
// when it differs (tests/CMakeLists.txt, sdk.declaration.*).
#include <switchboard/sdk/sdk.hpp>

class Declared : public sb::sdk::Provider {
 public:
  using Provider::Provider;
};

SB_DEFINE_PROVIDER(Declared, SB_TEST_ID, "Declared name", "1.0.0",
                   sb::sdk::Capabilities(sb::sdk::Topology::Bridge).operations(sb::sdk::kAllOperations))

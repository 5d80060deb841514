// The SDK's own version; its major always equals the ABI major.
#pragma once

#include <switchboard/abi/provider_abi.h>

#define SB_SDK_VERSION_MAJOR SB_ABI_MAJOR
#define SB_SDK_VERSION_MINOR SB_ABI_MINOR
#define SB_SDK_VERSION_PATCH 0

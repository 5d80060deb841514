// Umbrella header of the Switchboard provider SDK (header-only C++ binding
// over switchboard/abi/provider_abi.h).
#pragma once

#include <switchboard/abi/provider_abi.h>
#include <switchboard/sdk/capabilities.hpp>
#include <switchboard/sdk/civil_time.hpp>
#include <switchboard/sdk/config.hpp>
#include <switchboard/sdk/define_provider.hpp>
#include <switchboard/sdk/encoding.hpp>
#include <switchboard/sdk/host.hpp>
#include <switchboard/sdk/http.hpp>
#include <switchboard/sdk/model.hpp>
#include <switchboard/sdk/provider.hpp>
#include <switchboard/sdk/status.hpp>
#include <switchboard/sdk/version.hpp>

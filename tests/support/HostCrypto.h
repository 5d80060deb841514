#pragma once
// The host's crypto service as a plugin sees it (sb::sdk::Crypto over the C
// table), for testing a plugin's signing and verification code on its own.

#include <switchboard/core/plugin/HostServices.h>

#include <nlohmann/json.hpp>

#include <string>

namespace sb::test {

struct HostCrypto {
  explicit HostCrypto(const std::string& pluginId) : services(pluginId, nlohmann::json::object(), nullptr) {}

  sb::core::HostServices services;
  sb::sdk::Host host{services.table()};
  sb::sdk::Crypto crypto = host.crypto();
};

}  // namespace sb::test

#include "support/TestHost.h"

#include "app/ConfigKeys.h"
#include "routes/Routes.h"

namespace sb::test {

TestHost::TestHost(const std::map<std::string, std::string>& overrides) {
  core::Settings settings = host::defaultSettings();
  settings.set(onPostgresql() ? "database.url" : "database.path", database_.target());
  settings.set("plugins.path", std::filesystem::path(SB_SIM_PLUGIN_DIR).parent_path().string());
  settings.set("http.port", "0");
  settings.set("http.log_requests", "false");
  for (const auto& [key, value] : overrides) {
    settings.set(key, value);
  }
  context_ = std::make_unique<host::HostContext>(settings);
  context_->discoverPlugins(std::filesystem::path(SB_BUILD_DIR) / "bin");
  auto router = std::make_shared<host::Router>();
  host::addAllRoutes(*router, *context_);
  server_ = std::make_unique<host::ApiServer>(router, host::serverOptionsFrom(context_->settings()),
                                              context_->apiKeys(), &context_->metrics(), &context_->sessions());
  server_->bind();
  context_->startProvider("http://127.0.0.1:" + std::to_string(server_->port()));
  server_->start();
  adminKey = context_->apiKeys().create("admin", core::Role::Admin).key;
  agentKey = context_->apiKeys().create("agent", core::Role::Agent).key;
}

TestHost::~TestHost() {
  server_->stop();
}

uint16_t TestHost::port() const {
  return server_->port();
}

}  // namespace sb::test

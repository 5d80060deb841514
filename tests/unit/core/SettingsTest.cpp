#include "support/TempDir.h"

#include "app/Defaults.h"

#include <switchboard/core/config/Settings.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using sb::core::ConfigError;
using sb::core::Settings;

TEST_CASE("INI sections become key prefixes, comments and quotes are handled", "[config]") {
  Settings settings;
  settings.loadIni("# comment\nprovider = sim\n[http]\nport = 9000 \n; other\n[provider.sim]\nsecret = \"a b\"\n",
                   "test.ini");
  CHECK(settings.getString("provider") == "sim");
  CHECK(settings.getInt("http.port", 0) == 9000);
  CHECK(settings.getString("provider.sim.secret") == "a b");
  CHECK_THROWS_WITH(settings.loadIni("[http\n", "bad.ini"), Catch::Matchers::Contains("bad.ini:1"));
  CHECK_THROWS_WITH(settings.loadIni("novalue\n", "bad.ini"), Catch::Matchers::Contains("expected 'key = value'"));
}

TEST_CASE("every known key has an environment override and unknown keys use '__'", "[config]") {
  Settings settings({{"http.port", "8080"}, {"provider.sim.ring_after_ms", "200"}, {"log.level", "info"}});
  std::string a = "SWITCHBOARD_HTTP_PORT=9090";
  std::string b = "SWITCHBOARD_PROVIDER_SIM_RING_AFTER_MS=5";
  std::string c = "SWITCHBOARD_PROVIDER__TWILIO__ACCOUNT_SID=AC123";
  std::string d = "OTHER=1";
  char* env[] = {a.data(), b.data(), c.data(), d.data(), nullptr};
  settings.applyEnvironment(env);
  CHECK(settings.getInt("http.port", 0) == 9090);
  CHECK(settings.getInt("provider.sim.ring_after_ms", 0) == 5);
  CHECK(settings.getString("provider.twilio.account_sid") == "AC123");
  CHECK(settings.getString("log.level") == "info");
  CHECK(Settings::envNameFor("provider.sim.ring_after_ms") == "SWITCHBOARD_PROVIDER_SIM_RING_AFTER_MS");
}

TEST_CASE("_file keys read secrets from files", "[config]") {
  sb::test::TempDir dir;
  std::ofstream(dir / "token") << "s3cret\n";
  Settings settings(std::map<std::string, std::string>{{"provider.twilio.auth_token_file", (dir / "token").string()}});
  settings.resolveSecretFiles();
  CHECK(settings.getString("provider.twilio.auth_token") == "s3cret");
  Settings missing(std::map<std::string, std::string>{{"x_file", "/nonexistent/secret"}});
  CHECK_THROWS_AS(missing.resolveSecretFiles(), ConfigError);
}

TEST_CASE("typed getters name the key on bad values and sections nest", "[config]") {
  Settings settings({{"a", "x"}, {"b", "maybe"}, {"p.one", "1"}, {"p.results.0002", "busy"}});
  CHECK_THROWS_WITH(settings.getInt("a", 0), Catch::Matchers::Contains("'a' must be an integer"));
  CHECK_THROWS_WITH(settings.getBool("b", false), Catch::Matchers::Contains("'b' must be true or false"));
  CHECK(settings.getInt("missing", 7) == 7);
  const auto section = settings.section("p");
  CHECK(section.at("one") == "1");
  CHECK(section.at("results").at("0002") == "busy");
  CHECK(Settings::isSecretKey("provider.twilio.auth_token"));
  CHECK_FALSE(Settings::isSecretKey("http.port"));
}

TEST_CASE("every built-in key is documented and in the sample config", "[config]") {
  const auto read = [](const std::string& relative) {
    std::ifstream in(std::string(SB_SOURCE_DIR) + "/" + relative);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string docs = read("docs/CONFIGURATION.md");
  const std::string sample = read("host/etc/switchboard.ini");
  const auto defaults = sb::host::defaultSettings();
  for (const auto& [key, value] : defaults.all()) {
    INFO(key);
    const auto dot = key.rfind('.');
    const std::string leaf = dot == std::string::npos ? key : key.substr(dot + 1);
    CHECK(docs.find(key) != std::string::npos);
    CHECK((sample.find("\n" + leaf + " =") != std::string::npos ||
           sample.find("\n# " + leaf + " =") != std::string::npos));
  }
}

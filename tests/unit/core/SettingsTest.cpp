#include "support/TempDir.h"

#include "app/ConfigDoc.h"
#include "app/ConfigKeys.h"

#include <switchboard/core/config/Settings.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

using sb::core::ConfigError;
using sb::core::Settings;

namespace {

sb::core::ConfigKey key(const std::string& name, sb::core::ConfigType type = sb::core::ConfigType::String) {
  sb::core::ConfigKey spec;
  spec.name = name;
  spec.type = type;
  return spec;
}

}  // namespace

TEST_CASE("INI sections become key prefixes, comments and quotes are handled", "[config]") {
  Settings settings;
  settings.loadIni("# comment\nprovider = sim\n[http]\nport = 9000 \n; other\n[provider.sim]\nsecret = \"a b\"\n",
                   "test.ini");
  CHECK(settings.getString("provider") == "sim");
  CHECK(settings.getInt("http.port", 0) == 9000);
  CHECK(settings.getString("provider.sim.secret") == "a b");
  CHECK(settings.origin("http.port")->where == "test.ini:4");
  CHECK(settings.origin("http.port")->source == sb::core::ConfigSource::File);
  CHECK_THROWS_WITH(settings.loadIni("[http\n", "bad.ini"), Catch::Matchers::Contains("bad.ini:1"));
  CHECK_THROWS_WITH(settings.loadIni("novalue\n", "bad.ini"), Catch::Matchers::Contains("expected 'key = value'"));
}

TEST_CASE("an uncommented sample line loses its inline comment - a quoted value keeps its semicolon", "[config]") {
  Settings settings;
  settings.loadIni(
      "[http]\nport = 9000 ; the port\nhost = 0.0.0.0\t# every interface\n"
      "[provider.sim]\nsecret = \"a;b #c\" ; quoted\nfail_operations = call.start;call.end\nempty = ; nothing\n",
      "sample.ini");
  CHECK(settings.getString("http.port") == "9000");
  CHECK(settings.getString("http.host") == "0.0.0.0");
  CHECK(settings.getString("provider.sim.secret") == "a;b #c");
  // A ';' with no blank before it is part of the value.
  CHECK(settings.getString("provider.sim.fail_operations") == "call.start;call.end");
  CHECK(settings.getString("provider.sim.empty").empty());
}

TEST_CASE("a key set twice in the file is an error naming both lines", "[config]") {
  Settings settings;
  CHECK_THROWS_WITH(settings.loadIni("[http]\nport = 1\n\n[http]\nport = 2\n", "twice.ini"),
                    Catch::Matchers::Contains("twice.ini:5") && Catch::Matchers::Contains("already set on line 2"));
}

TEST_CASE("one environment rule for every declared key, plugin keys and patterns included", "[config]") {
  sb::core::ConfigKeySet known({key("http.port", sb::core::ConfigType::Integer), key("log.level"),
                                key("provider.twilio.auth_token"), key("provider.sim.results.*")});
  Settings settings({{"http.port", "8080"}, {"log.level", "info"}});
  std::string a = "SWITCHBOARD_HTTP_PORT=9090";
  // Not in the file nor the defaults: the plugin's declaration makes it known.
  std::string b = "SWITCHBOARD_PROVIDER_TWILIO_AUTH_TOKEN=tok";
  std::string c = "SWITCHBOARD_PROVIDER_SIM_RESULTS_0002=busy";
  std::string d = "OTHER=1";
  std::string e = "SWITCHBOARD_CONFIG=/etc/switchboard.ini";
  char* env[] = {a.data(), b.data(), c.data(), d.data(), e.data(), nullptr};
  settings.applyEnvironment(env, known);
  CHECK(settings.getInt("http.port", 0) == 9090);
  CHECK(settings.origin("http.port")->where == "env SWITCHBOARD_HTTP_PORT");
  CHECK(settings.getString("provider.twilio.auth_token") == "tok");
  CHECK(settings.getString("provider.sim.results.0002") == "busy");
  CHECK(settings.getString("log.level") == "info");
  CHECK(settings.problems(known).empty());
  CHECK(Settings::envNameFor("provider.sim.ring_after_ms") == "SWITCHBOARD_PROVIDER_SIM_RING_AFTER_MS");
}

TEST_CASE("an environment variable that names no key is a problem naming the nearest", "[config]") {
  sb::core::ConfigKeySet known({key("http.port", sb::core::ConfigType::Integer)});
  Settings settings;
  std::string typo = "SWITCHBOARD_HTTP_PROT=9090";
  char* env[] = {typo.data(), nullptr};
  settings.applyEnvironment(env, known);
  const auto problems = settings.problems(known);
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Matchers::Contains("SWITCHBOARD_HTTP_PROT names no config key") &&
                              Catch::Matchers::Contains("did you mean SWITCHBOARD_HTTP_PORT?"));
}

TEST_CASE("unknown keys and bad values are problems that name the key, the line and the fix", "[config]") {
  auto port = key("http.port", sb::core::ConfigType::Integer);
  port.min = 0;
  port.max = 65535;
  auto format = key("log.format", sb::core::ConfigType::Choice);
  format.choices = {"text", "json"};
  sb::core::ConfigKeySet known({port, format, key("ratelimit.*", sb::core::ConfigType::Integer)});
  Settings settings;
  settings.loadIni("[http]\nprot = 1\nport = 70000\n[log]\nformat = jsno\n[ratelimit]\ncalls.create = ten\n", "x.ini");
  const auto problems = settings.problems(known);
  REQUIRE(problems.size() == 4);
  const auto has = [&](const std::string& text) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const auto& p) { return p.find(text) != std::string::npos; });
  };
  CHECK(has("x.ini:2: unknown config key 'http.prot'; did you mean 'http.port'?"));
  CHECK(has("x.ini:3: config key 'http.port' must be 0..65535, got 70000"));
  CHECK(has("x.ini:5: config key 'log.format' must be one of text, json, got 'jsno'; did you mean 'json'?"));
  CHECK(has("x.ini:7: config key 'ratelimit.calls.create' must be an integer"));
}

TEST_CASE("layers: the command line beats the environment beats the file beats the defaults", "[config]") {
  sb::core::ConfigKeySet known({key("http.port"), key("http.host")});
  Settings settings({{"http.port", "1"}, {"http.host", "127.0.0.1"}});
  settings.loadIni("[http]\nport = 2\nhost = 0.0.0.0\n", "f.ini");
  std::string a = "SWITCHBOARD_HTTP_PORT=3";
  char* env[] = {a.data(), nullptr};
  settings.applyEnvironment(env, known);
  CHECK(settings.getString("http.port") == "3");
  settings.set("http.port", "4");
  CHECK(settings.getString("http.port") == "4");
  CHECK(settings.origin("http.port")->source == sb::core::ConfigSource::CommandLine);
  CHECK(settings.getString("http.host") == "0.0.0.0");
  const Settings copy = settings;  // a copy keeps every layer and origin
  CHECK(copy.getString("http.port") == "4");
  CHECK(copy.origin("http.host")->where == "f.ini:3");
  // Poco would expand ${...} inside a value (a password); we never do.
  settings.set("http.host", "${HOME}");
  CHECK(settings.getString("http.host") == "${HOME}");
}

TEST_CASE("_file keys read secrets from files, in the layer that named them", "[config]") {
  sb::test::TempDir dir;
  std::ofstream(dir / "token") << "s3cret\n";
  Settings settings;
  settings.loadIni("[provider.twilio]\nauth_token_file = " + (dir / "token").string() + "\n", "s.ini");
  settings.resolveSecretFiles();
  CHECK(settings.getString("provider.twilio.auth_token") == "s3cret");
  CHECK_FALSE(settings.has("provider.twilio.auth_token_file"));
  CHECK_THAT(settings.origin("provider.twilio.auth_token")->where, Catch::Matchers::Contains("s.ini:2"));
  Settings missing;
  missing.set("x_file", "/nonexistent/secret");
  CHECK_THROWS_AS(missing.resolveSecretFiles(), ConfigError);
  Settings both;
  both.loadIni("a = 1\na_file = " + (dir / "token").string() + "\n", "both.ini");
  CHECK_THROWS_WITH(both.resolveSecretFiles(), Catch::Matchers::Contains("set both directly"));
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

TEST_CASE("docs/CONFIGURATION.md's key tables are the code's own lists", "[config]") {
  const auto read = [](const std::string& relative) {
    std::ifstream in(std::string(SB_SOURCE_DIR) + "/" + relative);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string docs = read("docs/CONFIGURATION.md");
  std::string expected = docs;
  REQUIRE(sb::host::replaceKeysRegion(expected, "host", sb::host::keysMarkdown(sb::host::hostConfigKeys())));
  for (const std::string plugin : {"sim", "twilio", "telnyx"}) {
    INFO(plugin);
    const auto declared = sb::core::parseConfigKeys(nlohmann::json::parse(read("plugins/" + plugin + "/config.json")));
    REQUIRE(sb::host::replaceKeysRegion(expected, plugin, sb::host::keysMarkdown(declared)));
  }
  INFO("the tables in docs/CONFIGURATION.md are out of date: run scripts/config-doc.sh");
  CHECK(docs == expected);

  // The annotated sample mentions every host key (set or commented out).
  const std::string sample = read("host/etc/switchboard.ini");
  for (const auto& key : sb::host::hostConfigKeys()) {
    if (key.isPattern()) continue;
    INFO(key.name);
    const auto dot = key.name.rfind('.');
    const std::string leaf = dot == std::string::npos ? key.name : key.name.substr(dot + 1);
    CHECK((sample.find("\n" + leaf + " =") != std::string::npos ||
           sample.find("\n# " + leaf + " =") != std::string::npos));
  }
}

TEST_CASE("the annotated sample config passes the checks as shipped", "[config]") {
  Settings settings;
  settings.loadIniFile(std::string(SB_SOURCE_DIR) + "/host/etc/switchboard.ini");
  sb::core::ConfigKeySet known(sb::host::hostConfigKeys());
  for (const std::string plugin : {"sim", "twilio", "telnyx"}) {
    std::ifstream in(std::string(SB_SOURCE_DIR) + "/plugins/" + plugin + "/config.json");
    known.addUnder("provider." + plugin + ".", sb::core::parseConfigKeys(nlohmann::json::parse(in)));
  }
  settings.resolveSecretFiles();
  const auto problems = settings.problems(known);
  for (const auto& problem : problems) {
    UNSCOPED_INFO(problem);
  }
  CHECK(problems.empty());
}

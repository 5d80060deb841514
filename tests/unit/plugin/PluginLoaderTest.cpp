// The loader refuses each broken plugin for its own reason, with a message
// that says what is wrong (asserted here), and loads the good ones.
#include "support/TempDir.h"

#include <switchboard/core/plugin/PluginLoader.h>
#include <switchboard/core/plugin/PluginRefused.h>

#include <catch2/catch.hpp>

#include <filesystem>

#include <set>

#include <fstream>

using Catch::Matchers::Contains;
using sb::core::PluginLoader;
using sb::core::PluginRefused;

namespace {

std::filesystem::path pluginFixture(const std::string& variant) {
  return std::filesystem::path(SB_FIXTURE_PLUGINS) / variant;
}

std::string refusalOf(const std::filesystem::path& directory) {
  try {
    PluginLoader::load(directory);
  } catch (const PluginRefused& refused) {
    return refused.what();
  }
  return "(loaded)";
}

/// A plugin folder with the good C library and the given manifest text.
std::filesystem::path withManifest(const sb::test::TempDir& dir, const std::string& manifest) {
  const auto folder = dir / "plugin";
  std::filesystem::create_directories(folder);
  std::filesystem::copy_file(pluginFixture("good") / "libsb_cprov.so", folder / "libsb_cprov.so");
  std::ofstream(folder / "plugin.json") << manifest;
  return folder;
}

}  // namespace

TEST_CASE("a well-formed C plugin loads and describes itself", "[loader]") {
  const auto plugin = PluginLoader::load(pluginFixture("good"));
  CHECK(plugin->id() == "cprov");
  CHECK(plugin->displayName() == "C test provider");
  CHECK(plugin->abiVersion() == "1.0");
  CHECK(plugin->capabilities().at("topology") == "bridge");
}

TEST_CASE("the loader refuses each broken plugin for its own reason", "[loader]") {
  const std::string host = std::to_string(SB_ABI_MAJOR) + "." + std::to_string(SB_ABI_MINOR);
  const std::string newer = std::to_string(SB_ABI_MAJOR) + "." + std::to_string(SB_ABI_MINOR + 1);
  CHECK_THAT(refusalOf(pluginFixture("wrong_major")),
             Contains("built for ABI major 2") && Contains("this host speaks " + host));
  CHECK_THAT(refusalOf(pluginFixture("newer_minor")), Contains("needs ABI " + newer) && Contains("upgrade the host"));
  CHECK_THAT(refusalOf(pluginFixture("no_entry")), Contains("does not export sb_provider_entry_v1"));
  CHECK_THAT(refusalOf(pluginFixture("null_invoke")), Contains("'invoke' is null"));
  CHECK_THAT(refusalOf(pluginFixture("null_table")), Contains("returned no table for host ABI " + host));
  CHECK_THAT(refusalOf(pluginFixture("small_table")), Contains("provider table is 8 bytes"));
  CHECK_THAT(refusalOf(pluginFixture("bad_capabilities")), Contains("capabilities_json is not valid JSON"));
  CHECK_THAT(
      refusalOf(pluginFixture("schema_capabilities")),
      Contains("does not match the SDK's capabilities schema") && Contains("topology") && Contains("operations"));
  CHECK_THAT(refusalOf(pluginFixture("other_version")),
             Contains("library says its version is '2.0.0' but plugin.json says '1.0.0'"));
  CHECK_THAT(refusalOf(pluginFixture("manifest_abi")),
             Contains("library says its ABI is '1.0' but plugin.json says '" + host + "'"));
  CHECK_THAT(refusalOf(pluginFixture("undefined_symbol")),
             Contains("cannot load") && Contains("sb_test_function_that_does_not_exist"));
}

TEST_CASE("the loader refuses bad manifests before running any plugin code", "[loader]") {
  sb::test::TempDir dir;
  SECTION("missing manifest") {
    std::filesystem::create_directories(dir / "empty");
    CHECK_THAT(refusalOf(dir / "empty"), Contains("plugin.json is missing"));
  }
  SECTION("not JSON") {
    CHECK_THAT(refusalOf(withManifest(dir, "{ id: cprov")), Contains("not valid JSON"));
  }
  SECTION("missing field") {
    CHECK_THAT(refusalOf(withManifest(dir, R"({"id":"cprov","name":"x","version":"1","library":"libsb_cprov.so"})")),
               Contains("field 'abi' must be a non-empty string"));
  }
  SECTION("bad id") {
    CHECK_THAT(refusalOf(withManifest(
                   dir, R"({"id":"C Prov","name":"x","version":"1","abi":"1.0","library":"libsb_cprov.so"})")),
               Contains("must match [a-z0-9_-]+"));
  }
  SECTION("malformed abi") {
    CHECK_THAT(refusalOf(withManifest(
                   dir, R"({"id":"cprov","name":"x","version":"1","abi":"one","library":"libsb_cprov.so"})")),
               Contains("must look like MAJOR.MINOR"));
  }
  SECTION("manifest claims another major") {
    CHECK_THAT(refusalOf(withManifest(
                   dir, R"({"id":"cprov","name":"x","version":"1","abi":"2.0","library":"libsb_cprov.so"})")),
               Contains("manifest of 'cprov' is built for ABI major 2"));
  }
  SECTION("library escapes the folder") {
    CHECK_THAT(refusalOf(withManifest(
                   dir, R"({"id":"cprov","name":"x","version":"1","abi":"1.0","library":"../libsb_cprov.so"})")),
               Contains("must be a file name inside the plugin folder"));
  }
  SECTION("library missing") {
    CHECK_THAT(
        refusalOf(withManifest(dir, R"({"id":"cprov","name":"x","version":"1","abi":"1.0","library":"libnope.so"})")),
        Contains("libnope.so named by the manifest does not exist"));
  }
  SECTION("id differs from the library's own") {
    CHECK_THAT(refusalOf(withManifest(
                   dir, R"({"id":"other","name":"x","version":"1","abi":"1.0","library":"libsb_cprov.so"})")),
               Contains("library says its id is 'cprov' but plugin.json says 'other'"));
  }
  SECTION("world-writable library") {
    const auto folder =
        withManifest(dir, R"({"id":"cprov","name":"x","version":"1","abi":"1.0","library":"libsb_cprov.so"})");
    std::filesystem::permissions(folder / "libsb_cprov.so", std::filesystem::perms::others_write,
                                 std::filesystem::perm_options::add);
    CHECK_THAT(refusalOf(folder), Contains("is world-writable"));
  }
}

TEST_CASE("discovery loads the good plugins and explains every refusal", "[loader]") {
  const auto discovery = PluginLoader::discover({SB_FIXTURE_PLUGINS, "/nonexistent/switchboard/plugins"});
  // The good one, and the one that loads well but aborts placing a call
  // (CrashReportTest).
  std::set<std::string> loaded;
  for (const auto& plugin : discovery.loaded) loaded.insert(plugin->id());
  CHECK(loaded == std::set<std::string>{"cprov", "cprov_crashing_invoke", "cprov_blocking_webhook"});
  CHECK(discovery.refused.size() == 12);
  for (const auto& refusal : discovery.refused) {
    CHECK_FALSE(refusal.reason.empty());
  }
}

TEST_CASE("a library that crashes while it loads is refused by name - the loader goes on", "[loader]") {
  CHECK_THAT(refusalOf(pluginFixture("crashing_constructor")),
             Contains("crashing_constructor") && (Contains("crashed while loading") || Contains("ended the process")));
  // The process that asked is still here, and loads the good one after it.
  CHECK(PluginLoader::load(pluginFixture("good"))->id() == "cprov");
}

TEST_CASE("only the libraries asked for are mapped - the rest are listed unloaded", "[loader]") {
  // The crashing library is never mapped when nobody asks for it.
  const auto discovery =
      PluginLoader::discover({SB_FIXTURE_PLUGINS}, [](const std::string& id) { return id == "cprov"; });
  REQUIRE(discovery.loaded.size() == 1);
  CHECK(discovery.refused.empty());
  size_t folders = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SB_FIXTURE_PLUGINS)) folders += entry.is_directory();
  CHECK(folders >= 11);
  CHECK(discovery.found.size() == folders - 1);  // every other fixture folder
  bool listed = false;
  for (const auto& manifest : discovery.found) {
    listed = listed || manifest.id == "cprov_crashing_constructor";
  }
  CHECK(listed);
}

TEST_CASE("two folders claiming one id are both refused, each naming the other", "[loader]") {
  sb::test::TempDir dir;
  for (const char* name : {"0-hijack", "cprov"}) {
    std::filesystem::create_directories(dir / name);
    std::filesystem::copy(pluginFixture("good"), dir / name);
  }
  const auto discovery = PluginLoader::discover({dir.path()});
  CHECK(discovery.loaded.empty());
  REQUIRE(discovery.refused.size() == 2);
  for (const auto& refusal : discovery.refused) {
    CHECK_THAT(refusal.reason,
               Contains("duplicate plugin id 'cprov'") && Contains("0-hijack") && Contains((dir / "cprov").string()));
  }
}

TEST_CASE("a bad manifest or an open folder refuses that folder only, naming it", "[loader]") {
  sb::test::TempDir dir;
  std::filesystem::create_directories(dir / "good");
  std::filesystem::copy(pluginFixture("good"), dir / "good");
  std::filesystem::create_directories(dir / "vendor-number");
  std::ofstream(dir / "vendor-number" / "plugin.json")
      << R"({"id":"bad","name":"x","version":"1","vendor":5,"abi":"1.0","library":"x.so"})";
  std::filesystem::create_directories(dir / "open");
  std::filesystem::copy(pluginFixture("good"), dir / "open");
  std::ofstream(dir / "open" / "plugin.json")
      << R"({"id":"other","name":"x","version":"1","abi":"1.0","library":"libsb_cprov.so"})";
  std::filesystem::permissions(dir / "open", std::filesystem::perms::others_write, std::filesystem::perm_options::add);

  const auto discovery = PluginLoader::discover({dir.path()});
  REQUIRE(discovery.loaded.size() == 1);
  CHECK(discovery.loaded[0]->id() == "cprov");
  REQUIRE(discovery.refused.size() == 2);
  std::string reasons;
  for (const auto& refusal : discovery.refused) {
    reasons += refusal.directory.string() + ": " + refusal.reason + "\n";
  }
  CHECK_THAT(reasons, Contains("vendor-number") && Contains("field 'vendor' must be a non-empty string"));
  CHECK_THAT(reasons, Contains("open") && Contains("is world-writable"));
}

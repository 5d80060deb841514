#include <switchboard/core/plugin/PluginManifest.h>
#include <switchboard/core/plugin/PluginRefused.h>
#include <switchboard/sdk/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

namespace sb::core {
namespace {

std::string requireString(const nlohmann::json& manifest, const char* field, const std::filesystem::path& file) {
  auto it = manifest.find(field);
  if (it == manifest.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    throw PluginRefused("bad manifest " + file.string() + ": field '" + field + "' must be a non-empty string");
  }
  return it->get<std::string>();
}

}  // namespace

PluginManifest PluginManifest::read(const std::filesystem::path& directory) {
  const auto file = directory / "plugin.json";
  std::ifstream in(file);
  if (!in) {
    throw PluginRefused("bad manifest: " + file.string() + " is missing or unreadable");
  }
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json json;
  try {
    json = sdk::json::parseBounded(text.str());
  } catch (const std::exception& e) {
    throw PluginRefused("bad manifest " + file.string() + ": not valid JSON (" + e.what() + ")");
  }
  if (!json.is_object()) {
    throw PluginRefused("bad manifest " + file.string() + ": top level must be a JSON object");
  }

  PluginManifest manifest;
  manifest.directory = directory;
  manifest.id = requireString(json, "id", file);
  if (!std::regex_match(manifest.id, std::regex("[a-z0-9_-]+"))) {
    throw PluginRefused("bad manifest " + file.string() + ": id '" + manifest.id + "' must match [a-z0-9_-]+");
  }
  manifest.name = requireString(json, "name", file);
  manifest.version = requireString(json, "version", file);
  manifest.vendor = json.contains("vendor") ? requireString(json, "vendor", file) : std::string("unknown");

  const std::string abi = requireString(json, "abi", file);
  std::smatch parts;
  if (!std::regex_match(abi, parts, std::regex(R"((\d{1,4})\.(\d{1,4}))"))) {
    throw PluginRefused("bad manifest " + file.string() + ": abi '" + abi + "' must look like MAJOR.MINOR");
  }
  manifest.abiMajor = static_cast<uint32_t>(std::stoul(parts[1].str()));
  manifest.abiMinor = static_cast<uint32_t>(std::stoul(parts[2].str()));

  const std::filesystem::path library = requireString(json, "library", file);
  if (library.is_absolute() || library.filename() != library) {
    throw PluginRefused("bad manifest " + file.string() + ": library '" + library.string() +
                        "' must be a file name inside the plugin folder");
  }
  manifest.library = std::filesystem::absolute(directory / library);

  if (const auto config = json.find("config"); config != json.end()) {
    try {
      manifest.config = parseConfigKeys(*config);
      manifest.declaresConfig = true;
    } catch (const std::exception& e) {
      throw PluginRefused("bad manifest " + file.string() + ": \"config\": " + e.what());
    }
  }
  return manifest;
}

}  // namespace sb::core

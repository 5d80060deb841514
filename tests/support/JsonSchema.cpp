#include "JsonSchema.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sb::test {

nlohmann::json loadSchema(const std::string& name) {
  const std::string path = std::string(SB_SOURCE_DIR) + "/sdk/schema/" + name + ".schema.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read schema " + path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

}  // namespace sb::test

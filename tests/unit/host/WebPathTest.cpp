#include "support/TempDir.h"

#include "routes/WebPath.h"

#include <catch2/catch.hpp>

#include <vector>

#include <fstream>

using sb::host::resolveWebPath;

TEST_CASE("web paths resolve inside the root only, component by component, never through a link", "[static]") {
  sb::test::TempDir dir;
  const auto root = std::filesystem::canonical(dir.path()) / "web";
  std::filesystem::create_directories(root / "vendor");
  std::filesystem::create_directories(root.parent_path() / "web-private");
  std::ofstream(root / "index.html") << "x";
  std::ofstream(root / "vendor" / "a.js") << "x";
  std::ofstream(root.parent_path() / "web-private" / "s.txt") << "secret";
  std::filesystem::create_symlink(root / "index.html", root / "alias.html");

  CHECK(resolveWebPath(root, "index.html") == root / "index.html");
  CHECK(resolveWebPath(root, "vendor/a.js") == root / "vendor" / "a.js");
  CHECK(resolveWebPath(root, "./vendor//a.js") == root / "vendor" / "a.js");
  for (const std::string& bad :
       std::vector<std::string>{"", "../web-private/s.txt", "vendor/../../web-private/s.txt", "..", "vendor",
                                "alias.html", "missing.js", std::string("index.html\0x", 12), "..\\web-private"}) {
    INFO(bad);
    CHECK_FALSE(resolveWebPath(root, bad));
  }
}

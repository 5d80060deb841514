// Passwords: argon2id through libsodium, and what a person may not choose.
#include <switchboard/core/users/Passwords.h>

#include <catch2/catch.hpp>

#include <string>

namespace passwords = sb::core::passwords;

TEST_CASE("passwords: an argon2id hash verifies its password and no other", "[users][no-db]") {
  const std::string stored = passwords::hash("tall giraffe at noon");
  CHECK(stored.rfind("$argon2id$", 0) == 0);
  CHECK(stored.find("tall giraffe") == std::string::npos);
  CHECK(passwords::verify(stored, "tall giraffe at noon"));
  CHECK_FALSE(passwords::verify(stored, "tall giraffe at noon "));
  CHECK_FALSE(passwords::verify(stored, ""));
  // A salt of its own each time: equal passwords do not give equal hashes.
  CHECK(passwords::hash("tall giraffe at noon") != stored);
  // A stored text that is not a hash is a mismatch, not a crash.
  CHECK_FALSE(passwords::verify("", "tall giraffe at noon"));
  CHECK_FALSE(passwords::verify("$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA", "tall giraffe at noon"));
  CHECK_FALSE(passwords::verify(std::string(4096, 'x'), "tall giraffe at noon"));
}

TEST_CASE("passwords: short, long, common, binary and the email itself are refused, with the reason",
          "[users][no-db]") {
  const std::string email = "rep.one@example.com";
  CHECK_FALSE(passwords::problem("tall giraffe at noon", email));
  CHECK_FALSE(passwords::problem(std::string(passwords::kMaxBytes, 'k'), email));

  CHECK_THAT(*passwords::problem("short1", email), Catch::Matchers::Contains("at least 10 characters"));
  // Characters, not bytes: nine accented letters are 18 bytes and still short.
  CHECK(passwords::problem("ééééééééé", email));
  CHECK_FALSE(passwords::problem("éééééééééé", email));
  CHECK_THAT(*passwords::problem(std::string(passwords::kMaxBytes + 1, 'k'), email),
             Catch::Matchers::Contains("at most 1024 bytes"));
  CHECK_THAT(*passwords::problem("Password123", email), Catch::Matchers::Contains("most common"));
  CHECK(passwords::problem("QWERTYUIOP", email));
  CHECK(passwords::problem("Switchboard1", email));
  CHECK_THAT(*passwords::problem(std::string("ten\0bytes!!", 11), email), Catch::Matchers::Contains("UTF-8"));
  CHECK(passwords::problem("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6", email));
  CHECK_THAT(*passwords::problem("REP.ONE@example.com", email), Catch::Matchers::Contains("email"));
  CHECK(passwords::problem("rep.one.......", email) == std::nullopt);
  CHECK(passwords::problem("rep.one", "rep.one@example.com"));  // short anyway
  CHECK(passwords::problem("longerlocal", "longerlocal@example.com"));
}

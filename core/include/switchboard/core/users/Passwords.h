#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sb::core::passwords {

/// The shortest password a person may choose, in characters.
inline constexpr size_t kMinLength = 10;
/// The longest, in bytes: a password is hashed with 64 MiB of memory, and
/// an unbounded one would be a cheap way to make the host work.
inline constexpr size_t kMaxBytes = 1024;

/// Why `password` may not be chosen by the person with `email` (too short,
/// too long, not UTF-8, one of the most common passwords, the email
/// itself), in words for that person; nullopt when it may.
std::optional<std::string> problem(std::string_view password, std::string_view email);

/// A new password for someone else to hand over (an admin adding a person
/// or resetting one): 20 characters from an alphabet without look-alikes,
/// about 113 bits.
std::string generate();

/// An argon2id hash of `password` (libsodium's crypto_pwhash_str_alg with
/// its interactive limits): one text holding the algorithm, the limits, the
/// salt and the hash. Throws std::runtime_error when memory runs out.
std::string hash(std::string_view password);

/// Whether `password` is the one `stored` was made from (false for a
/// malformed `stored`, never throws). Takes the time of one hash.
bool verify(const std::string& stored, std::string_view password);

/// Takes the time verify() takes, for an email nobody has: sign-in answers
/// as slowly for an unknown person as for a wrong password.
void spendVerifyTime(std::string_view password);

}  // namespace sb::core::passwords

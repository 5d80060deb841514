#include <switchboard/core/users/Passwords.h>

#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/core/text/Utf8.h>

#include <sodium.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_set>

namespace sb::core {
const char* commonPasswordsText();  // generated from core/data/common-passwords.txt
}

namespace sb::core::passwords {
namespace {

void initialize() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) {
      throw std::runtime_error("libsodium could not be initialized");
    }
  });
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c); });
  return out;
}

const std::unordered_set<std::string>& commonPasswords() {
  static const std::unordered_set<std::string> set = [] {
    std::unordered_set<std::string> out;
    std::istringstream lines(commonPasswordsText());
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) out.insert(line);
    }
    return out;
  }();
  return set;
}

/// Each hash or check holds 64 MiB for tens of milliseconds: at most this
/// many run at once, whatever the number of request threads, so a burst of
/// sign-ins waits instead of taking the machine's memory.
constexpr int kConcurrentHashes = 4;

class HashGate {
 public:
  HashGate() {
    std::unique_lock lock(mutex());
    free().wait(lock, [] { return running() < kConcurrentHashes; });
    ++running();
  }
  ~HashGate() {
    {
      std::lock_guard lock(mutex());
      --running();
    }
    free().notify_one();
  }
  HashGate(const HashGate&) = delete;
  HashGate& operator=(const HashGate&) = delete;

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::condition_variable& free() {
    static std::condition_variable c;
    return c;
  }
  static int& running() {
    static int n = 0;
    return n;
  }
};

size_t characters(std::string_view utf8) {
  return static_cast<size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::optional<std::string> problem(std::string_view password, std::string_view email) {
  if (password.size() > kMaxBytes) {
    return "a password may be at most " + std::to_string(kMaxBytes) + " bytes long";
  }
  if (!isValidUtf8(password) || password.find('\0') != std::string_view::npos) {
    return "a password must be text (UTF-8, no NUL character)";
  }
  if (characters(password) < kMinLength) {
    return "a password needs at least " + std::to_string(kMinLength) + " characters";
  }
  const std::string lowered = lower(password);
  if (commonPasswords().count(lowered) != 0) {
    return "that is one of the most common passwords; choose another";
  }
  const std::string address = lower(email);
  const std::string local = address.substr(0, address.find('@'));
  if (!address.empty() && (lowered == address || lowered == local)) {
    return "a password may not be the email address";
  }
  return std::nullopt;
}

std::string hash(std::string_view password) {
  initialize();
  const HashGate gate;
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return std::string(out);
}

bool verify(const std::string& stored, std::string_view password) {
  initialize();
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) {
    return false;
  }
  const HashGate gate;
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

void spendVerifyTime(std::string_view password) {
  // A hash made once, of nothing anyone knows, with the same limits.
  static const std::string decoy = [] {
    initialize();
    char seed[32];
    randombytes_buf(seed, sizeof seed);
    return hash(std::string_view(seed, sizeof seed));
  }();
  (void)verify(decoy, password);
}

std::string generate() {
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789";
  constexpr size_t kSize = sizeof kAlphabet - 1;
  constexpr size_t kLength = 20;
  std::string out;
  while (out.size() < kLength) {
    for (const unsigned char byte : crypto::randomBytes(32)) {
      if (byte < 256 - 256 % kSize && out.size() < kLength) {  // no modulo bias
        out += kAlphabet[byte % kSize];
      }
    }
  }
  return out;
}

}  // namespace sb::core::passwords

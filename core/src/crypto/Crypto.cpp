#include <switchboard/core/crypto/Crypto.h>
#include <switchboard/sdk/encoding.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace sb::core::crypto {
namespace {

const EVP_MD* messageDigest(std::string_view algorithm) {
  if (algorithm == "sha1") return EVP_sha1();
  if (algorithm == "sha256") return EVP_sha256();
  throw std::invalid_argument("unsupported digest algorithm '" + std::string(algorithm) + "'");
}

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

std::string hmac(std::string_view algorithm, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(messageDigest(algorithm), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), out, &size) ==
      nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string digest(std::string_view algorithm, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out, &size, messageDigest(algorithm), nullptr) != 1) {
    throw std::runtime_error("digest failed");
  }
  return std::string(reinterpret_cast<const char*>(out), size);
}

bool ed25519Verify(std::string_view publicKey, std::string_view message, std::string_view signature) {
  if (publicKey.size() != 32 || signature.size() != 64) {
    throw std::invalid_argument("Ed25519 needs a 32-byte public key and a 64-byte signature");
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(publicKey), publicKey.size()), &EVP_PKEY_free);
  if (!key) {
    return false;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message), message.size()) == 1;
}

namespace {

std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ed25519PrivateKey(std::string_view seed) {
  if (seed.size() != 32) {
    throw std::invalid_argument("Ed25519 needs a 32-byte private key (seed)");
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed), seed.size()), &EVP_PKEY_free);
  if (!key) {
    throw std::runtime_error("EVP_PKEY_new_raw_private_key failed");
  }
  return key;
}

}  // namespace

std::string ed25519Sign(std::string_view privateSeed, std::string_view message) {
  const auto key = ed25519PrivateKey(privateSeed);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string signature(64, '\0');
  size_t size = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, bytes(message),
                     message.size()) != 1 ||
      size != 64) {
    throw std::runtime_error("Ed25519 signing failed");
  }
  return signature;
}

std::string ed25519PublicKey(std::string_view privateSeed) {
  const auto key = ed25519PrivateKey(privateSeed);
  std::string publicKey(32, '\0');
  size_t size = publicKey.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(publicKey.data()), &size) != 1 ||
      size != 32) {
    throw std::runtime_error("EVP_PKEY_get_raw_public_key failed");
  }
  return publicKey;
}

std::string randomBytes(size_t size) {
  std::string out(size, '\0');
  if (size > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string toHex(std::string_view bytes) {
  return sdk::encoding::toHex(bytes);
}

}  // namespace sb::core::crypto

#include "server/auth/opaque_token.h"

#include <sodium.h>

#include <vector>

#include "crypto/sodium_init.h"

namespace tinymlops::server {
namespace {

std::string RandomHex(size_t bytes) {
  (void)crypto::InitializeSodium();
  std::vector<uint8_t> random(bytes);
  randombytes_buf(random.data(), random.size());
  return ToHex(random.data(), random.size());
}

}  // namespace

std::string NewSecretToken(const std::string& prefix) { return prefix + RandomHex(32); }
std::string NewRecordId(const std::string& prefix) { return prefix + RandomHex(8); }

std::string Blake2bHex(const void* bytes, size_t size) {
  uint8_t hash[32];
  crypto_generichash(hash, sizeof hash, static_cast<const unsigned char*>(bytes), size, nullptr,
                     0);
  return ToHex(hash, sizeof hash);
}

std::string ToHex(const uint8_t* bytes, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return hex;
}

bool FromHex(const std::string& hex, uint8_t* out, size_t size) {
  if (hex.size() != size * 2) return false;
  size_t written = 0;
  return sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &written, nullptr) == 0 &&
         written == size;
}

}  // namespace tinymlops::server

#include "crypto/key_id.h"

#include <sodium.h>

namespace tinymlops::crypto {

std::string KeyIdOf(const uint8_t* public_key, size_t size) {
  uint8_t digest[kKeyIdBytes];
  crypto_generichash(digest, sizeof(digest), public_key, size, nullptr, 0);
  char hex[2 * kKeyIdBytes + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  return hex;
}

}  // namespace tinymlops::crypto

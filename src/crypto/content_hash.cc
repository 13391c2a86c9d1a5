#include "crypto/content_hash.h"

#include <sodium.h>

namespace tinymlops::crypto {

std::vector<uint8_t> ContentHash(const uint8_t* data, size_t size) {
  std::vector<uint8_t> digest(kContentHashBytes);
  crypto_generichash(digest.data(), digest.size(), data, size, nullptr, 0);
  return digest;
}

bool ContentHashesEqual(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  return a.size() == kContentHashBytes && b.size() == kContentHashBytes &&
         sodium_memcmp(a.data(), b.data(), kContentHashBytes) == 0;
}

std::string ShortHashName(const std::vector<uint8_t>& hash) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < hash.size() && i < 8; ++i) {
    hex += kDigits[hash[i] >> 4];
    hex += kDigits[hash[i] & 15];
  }
  return hex;
}

}  // namespace tinymlops::crypto

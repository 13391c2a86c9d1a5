// Key ids: the short public name of a public key, as written in manifests and printed by the
// CLI: the first 8 bytes of BLAKE2b(public key), as 16 lowercase hex characters.
// Thread-safety: pure function.
#ifndef TINYMLOPS_CRYPTO_KEY_ID_H_
#define TINYMLOPS_CRYPTO_KEY_ID_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace tinymlops::crypto {

constexpr size_t kKeyIdBytes = 8;

std::string KeyIdOf(const uint8_t* public_key, size_t size);

}  // namespace tinymlops::crypto

#endif  // TINYMLOPS_CRYPTO_KEY_ID_H_

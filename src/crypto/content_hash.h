// Content hashes: the BLAKE2b-256 digest that names a model's bytes in manifests (a delta
// package's base and result models), and a constant-time comparison of two digests.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_CRYPTO_CONTENT_HASH_H_
#define TINYMLOPS_CRYPTO_CONTENT_HASH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tinymlops::crypto {

constexpr size_t kContentHashBytes = 32;

// BLAKE2b with a 32-byte output, unkeyed, over `size` bytes.
std::vector<uint8_t> ContentHash(const uint8_t* data, size_t size);
// True when both are kContentHashBytes long and equal (compared in constant time).
bool ContentHashesEqual(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b);
// The first 8 bytes in lowercase hex: a short name for a hash in messages.
std::string ShortHashName(const std::vector<uint8_t>& hash);

}  // namespace tinymlops::crypto

#endif  // TINYMLOPS_CRYPTO_CONTENT_HASH_H_

// Opaque secrets and record ids. Operator API tokens and enrollment tokens are random 32-byte
// secrets shown once ("tmo_" / "tme_" + 64 hex digits); the store keeps only their BLAKE2b-256
// hash (libsodium crypto_generichash), so a copy of the database grants nothing. Record ids are
// random too ("prj_" + 16 hex digits), so several server processes never collide.
// Thread-safety: pure functions (libsodium's randombytes is thread-safe).
#ifndef TINYMLOPS_SERVER_AUTH_OPAQUE_TOKEN_H_
#define TINYMLOPS_SERVER_AUTH_OPAQUE_TOKEN_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace tinymlops::server {

std::string NewSecretToken(const std::string& prefix);  // prefix + 64 hex digits
std::string NewRecordId(const std::string& prefix);     // prefix + 16 hex digits
// Lowercase hex of BLAKE2b-256(bytes).
std::string Blake2bHex(const void* bytes, size_t size);
inline std::string HashToken(const std::string& token) {
  return Blake2bHex(token.data(), token.size());
}
std::string ToHex(const uint8_t* bytes, size_t size);
// Decodes exactly `size` bytes of hex (either case); false on any other input.
bool FromHex(const std::string& hex, uint8_t* out, size_t size);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_AUTH_OPAQUE_TOKEN_H_

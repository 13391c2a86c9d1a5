// Sealed boxes (crypto_box_seal): a short secret (a package's content key) encrypted to one
// device's X25519 public key by an anonymous sender; only that device's BoxKeyPair opens it.
// A sealed box is kSealOverheadBytes longer than its message.
// Errors: OpenSealedBox fails (kInvalidArgument) when the box was sealed to another key or was
// altered. Thread-safety: pure functions.
#ifndef TINYMLOPS_CRYPTO_SEALED_BOX_H_
#define TINYMLOPS_CRYPTO_SEALED_BOX_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "crypto/box_key.h"
#include "crypto/secure_buffer.h"
#include "runtime/status.h"

namespace tinymlops::crypto {

constexpr size_t kSealOverheadBytes = 48;  // crypto_box_SEALBYTES

std::vector<uint8_t> SealToKey(const uint8_t* message, size_t size, const BoxPublicKey& recipient);
// The message, in locked memory.
Result<SecureBuffer> OpenSealedBox(const uint8_t* sealed, size_t size, const BoxKeyPair& recipient);

}  // namespace tinymlops::crypto

#endif  // TINYMLOPS_CRYPTO_SEALED_BOX_H_

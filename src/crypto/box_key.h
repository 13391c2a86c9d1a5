// X25519 keys for sealed boxes, derived from a device's Ed25519 identity key
// (crypto_sign_ed25519_pk_to_curve25519 / _sk_to_curve25519), so a device has one identity
// and one key file. BoxPublicKey is what a package is encrypted to; BoxKeyPair opens it.
// Errors: kInvalidArgument if the Ed25519 key has no X25519 counterpart; kResourceExhausted
// without locked memory. Thread-safety: immutable after creation; share freely.
#ifndef TINYMLOPS_CRYPTO_BOX_KEY_H_
#define TINYMLOPS_CRYPTO_BOX_KEY_H_

#include <array>
#include <cstdint>

#include "crypto/secure_buffer.h"
#include "crypto/signing_key.h"
#include "runtime/status.h"

namespace tinymlops::crypto {

constexpr size_t kBoxPublicKeyBytes = 32;

class BoxPublicKey {
 public:
  static Result<BoxPublicKey> FromSigningKey(const SigningPublicKey& identity);

  BoxPublicKey() = default;
  const std::array<uint8_t, kBoxPublicKeyBytes>& bytes() const { return bytes_; }

 private:
  std::array<uint8_t, kBoxPublicKeyBytes> bytes_{};
};

class BoxKeyPair {
 public:
  static Result<BoxKeyPair> FromSigningKeyPair(const SigningKeyPair& identity);

  BoxKeyPair() = default;
  const BoxPublicKey& public_key() const { return public_key_; }
  const SecureBuffer& secret_key() const { return secret_key_; }  // 32 bytes, locked

 private:
  BoxPublicKey public_key_;
  SecureBuffer secret_key_;
};

}  // namespace tinymlops::crypto

#endif  // TINYMLOPS_CRYPTO_BOX_KEY_H_

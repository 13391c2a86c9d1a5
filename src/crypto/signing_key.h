// Ed25519 signing keys: vendor keys that sign packages, and device identity keys (the device's
// X25519 key for sealed boxes is derived from its Ed25519 key, crypto/box_key.h).
//
// SigningPublicKey holds 32 public bytes and their key id (crypto/key_id.h) and verifies
// detached signatures. SigningKeyPair adds the secret key, kept in a SecureBuffer (locked,
// zeroed on release); it is never printed or logged, only written by crypto/key_file.h.
// Errors: a public key of the wrong length or not on the curve (kInvalidArgument); no locked
// memory (kResourceExhausted). Thread-safety: immutable after creation; share freely.
#ifndef TINYMLOPS_CRYPTO_SIGNING_KEY_H_
#define TINYMLOPS_CRYPTO_SIGNING_KEY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "crypto/secure_buffer.h"
#include "runtime/status.h"

namespace tinymlops::crypto {

constexpr size_t kSigningPublicKeyBytes = 32;
constexpr size_t kSigningSeedBytes = 32;
constexpr size_t kSignatureBytes = 64;
using Signature = std::array<uint8_t, kSignatureBytes>;

class SigningPublicKey {
 public:
  static Result<SigningPublicKey> FromBytes(const uint8_t* bytes, size_t size);

  SigningPublicKey() = default;
  const std::array<uint8_t, kSigningPublicKeyBytes>& bytes() const { return bytes_; }
  const std::string& key_id() const { return key_id_; }
  // True when `signature` is this key's Ed25519 signature of `message`.
  bool Verifies(const uint8_t* message, size_t size, const Signature& signature) const;

 private:
  std::array<uint8_t, kSigningPublicKeyBytes> bytes_{};
  std::string key_id_;
};

class SigningKeyPair {
 public:
  // A new random key pair.
  static Result<SigningKeyPair> Generate();
  // The key pair of a 32-byte seed (what key files store).
  static Result<SigningKeyPair> FromSeed(const uint8_t* seed, size_t size);

  SigningKeyPair() = default;
  const SigningPublicKey& public_key() const { return public_key_; }
  Signature Sign(const uint8_t* message, size_t size) const;
  // libsodium's 64-byte secret key (seed || public key), in locked memory.
  const SecureBuffer& secret_key() const { return secret_key_; }

 private:
  SigningPublicKey public_key_;
  SecureBuffer secret_key_;
};

}  // namespace tinymlops::crypto

#endif  // TINYMLOPS_CRYPTO_SIGNING_KEY_H_

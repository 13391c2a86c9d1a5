#include "crypto/signing_key.h"

#include <sodium.h>

#include "crypto/key_id.h"
#include "crypto/sodium_init.h"

namespace tinymlops::crypto {

Result<SigningPublicKey> SigningPublicKey::FromBytes(const uint8_t* bytes, size_t size) {
  TMM_RETURN_IF_ERROR(InitializeSodium());
  if (size != kSigningPublicKeyBytes)
    return Status::Error(StatusCode::kInvalidArgument,
                         "an Ed25519 public key is %zu bytes, not %zu", kSigningPublicKeyBytes,
                         size);
  uint8_t x25519[crypto_scalarmult_curve25519_BYTES];
  if (crypto_sign_ed25519_pk_to_curve25519(x25519, bytes) != 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "the bytes are not a valid Ed25519 public key; the key file is corrupt");
  SigningPublicKey key;
  std::copy(bytes, bytes + size, key.bytes_.begin());
  key.key_id_ = KeyIdOf(bytes, size);
  return key;
}

bool SigningPublicKey::Verifies(const uint8_t* message, size_t size,
                                const Signature& signature) const {
  return crypto_sign_verify_detached(signature.data(), message, size, bytes_.data()) == 0;
}

Result<SigningKeyPair> SigningKeyPair::Generate() {
  TMM_RETURN_IF_ERROR(InitializeSodium());
  TMM_ASSIGN_OR_RETURN(SecureBuffer seed, SecureBuffer::Allocate(kSigningSeedBytes));
  randombytes_buf(seed.data(), seed.size());
  return FromSeed(seed.data(), seed.size());
}

Result<SigningKeyPair> SigningKeyPair::FromSeed(const uint8_t* seed, size_t size) {
  if (size != kSigningSeedBytes)
    return Status::Error(StatusCode::kInvalidArgument, "an Ed25519 seed is %zu bytes, not %zu",
                         kSigningSeedBytes, size);
  SigningKeyPair pair;
  TMM_ASSIGN_OR_RETURN(pair.secret_key_, SecureBuffer::Allocate(crypto_sign_SECRETKEYBYTES));
  uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_seed_keypair(public_key, pair.secret_key_.data(), seed);
  TMM_ASSIGN_OR_RETURN(pair.public_key_,
                       SigningPublicKey::FromBytes(public_key, sizeof(public_key)));
  return pair;
}

Signature SigningKeyPair::Sign(const uint8_t* message, size_t size) const {
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, message, size, secret_key_.data());
  return signature;
}

}  // namespace tinymlops::crypto

#include "crypto/box_key.h"

#include <sodium.h>

namespace tinymlops::crypto {

Result<BoxPublicKey> BoxPublicKey::FromSigningKey(const SigningPublicKey& identity) {
  BoxPublicKey key;
  if (crypto_sign_ed25519_pk_to_curve25519(key.bytes_.data(), identity.bytes().data()) != 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "key %s has no X25519 counterpart; generate the device key with "
                         "'tinymlops device keygen'",
                         identity.key_id().c_str());
  return key;
}

Result<BoxKeyPair> BoxKeyPair::FromSigningKeyPair(const SigningKeyPair& identity) {
  BoxKeyPair pair;
  TMM_ASSIGN_OR_RETURN(pair.public_key_, BoxPublicKey::FromSigningKey(identity.public_key()));
  TMM_ASSIGN_OR_RETURN(pair.secret_key_, SecureBuffer::Allocate(crypto_box_SECRETKEYBYTES));
  if (crypto_sign_ed25519_sk_to_curve25519(pair.secret_key_.data(), identity.secret_key().data()) !=
      0)
    return Status::Error(StatusCode::kInvalidArgument, "device key %s has no X25519 counterpart",
                         identity.public_key().key_id().c_str());
  return pair;
}

}  // namespace tinymlops::crypto

#include "crypto/sealed_box.h"

#include <sodium.h>

namespace tinymlops::crypto {

static_assert(kSealOverheadBytes == crypto_box_SEALBYTES, "sealed box overhead");

std::vector<uint8_t> SealToKey(const uint8_t* message, size_t size, const BoxPublicKey& recipient) {
  std::vector<uint8_t> sealed(size + crypto_box_SEALBYTES);
  crypto_box_seal(sealed.data(), message, size, recipient.bytes().data());
  return sealed;
}

Result<SecureBuffer> OpenSealedBox(const uint8_t* sealed, size_t size,
                                   const BoxKeyPair& recipient) {
  if (size < crypto_box_SEALBYTES)
    return Status::Error(StatusCode::kInvalidArgument, "a sealed box of %zu bytes is too short",
                         size);
  TMM_ASSIGN_OR_RETURN(SecureBuffer message, SecureBuffer::Allocate(size - crypto_box_SEALBYTES));
  if (crypto_box_seal_open(message.data(), sealed, size, recipient.public_key().bytes().data(),
                           recipient.secret_key().data()) != 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "the sealed key does not open with this device's key: it was sealed to "
                         "another device or altered");
  return message;
}

}  // namespace tinymlops::crypto

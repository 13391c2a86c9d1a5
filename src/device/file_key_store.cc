#include "device/file_key_store.h"

#include "crypto/key_file.h"
#include "crypto/sealed_box.h"

namespace tinymlops::device {

Result<std::unique_ptr<FileKeyStore>> FileKeyStore::Open(const std::string& folder) {
  TMM_ASSIGN_OR_RETURN(const crypto::SigningKeyPair identity,
                       crypto::ReadSecretKeyFile(folder + "/" + kDeviceKeyName + ".key"));
  std::unique_ptr<FileKeyStore> store(new FileKeyStore());
  store->key_id_ = identity.public_key().key_id();
  TMM_ASSIGN_OR_RETURN(store->box_key_, crypto::BoxKeyPair::FromSigningKeyPair(identity));
  return store;
}

Result<crypto::SecureBuffer> FileKeyStore::OpenSealedKey(const uint8_t* sealed, size_t size) const {
  return crypto::OpenSealedBox(sealed, size, box_key_);
}

}  // namespace tinymlops::device

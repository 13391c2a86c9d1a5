// FileKeyStore: the DeviceKeyStore of a Linux device without a TEE: the identity made by
// `tinymlops device keygen` in a folder (FOLDER/device.key, mode 0600, and device.pub). The
// Ed25519 secret and the X25519 secret derived from it live in locked memory, zeroed on release.
// Errors: the folder has no device.key, the file is readable by others ("chmod 600"), or it is
// not a key file. Thread-safety: immutable after Open.
#ifndef TINYMLOPS_DEVICE_FILE_KEY_STORE_H_
#define TINYMLOPS_DEVICE_FILE_KEY_STORE_H_

#include <memory>
#include <string>

#include "crypto/box_key.h"
#include "device/key_store.h"

namespace tinymlops::device {

// The key name `tinymlops device keygen` writes: FOLDER/device.key and FOLDER/device.pub.
constexpr char kDeviceKeyName[] = "device";

class FileKeyStore : public DeviceKeyStore {
 public:
  static Result<std::unique_ptr<FileKeyStore>> Open(const std::string& folder);
  const std::string& device_key_id() const override { return key_id_; }
  Result<crypto::SecureBuffer> OpenSealedKey(const uint8_t* sealed, size_t size) const override;

 private:
  FileKeyStore() = default;
  std::string key_id_;
  crypto::BoxKeyPair box_key_;
};

}  // namespace tinymlops::device

#endif  // TINYMLOPS_DEVICE_FILE_KEY_STORE_H_

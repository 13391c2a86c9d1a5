// DeviceKeyStore: where a device keeps its identity secret, behind the one operation the
// package loader needs: opening a content key sealed to this device. The secret never leaves
// the store, so a TEE or TPM implementation (key in secure storage, crypto_box_seal_open run
// inside it) plugs in here without touching the loader. device/file_key_store.h keeps the key
// in a 0600 file and locked memory.
// Errors: OpenSealedKey fails when the box was sealed to another device or altered.
// Thread-safety: implementations must allow concurrent calls.
#ifndef TINYMLOPS_DEVICE_KEY_STORE_H_
#define TINYMLOPS_DEVICE_KEY_STORE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "crypto/secure_buffer.h"
#include "runtime/status.h"

namespace tinymlops::device {

class DeviceKeyStore {
 public:
  virtual ~DeviceKeyStore() = default;
  // The key id of the device's Ed25519 identity (crypto/key_id.h): how manifests name it.
  virtual const std::string& device_key_id() const = 0;
  // The message of a sealed box addressed to this device, in locked memory.
  virtual Result<crypto::SecureBuffer> OpenSealedKey(const uint8_t* sealed, size_t size) const = 0;
};

}  // namespace tinymlops::device

#endif  // TINYMLOPS_DEVICE_KEY_STORE_H_

// UnsealContentKey: the content key of an encrypted package (manifest encryption block),
// opened through the device's key store from the recipient entry that names this device.
// Errors: kFailedPrecondition when there is no key store or the package is not encrypted to
// this device (the message says what to do); the key store's error when the box does not open.
// Thread-safety: as the key store (concurrent calls allowed).
#ifndef TINYMLOPS_DEVICE_CONTENT_KEY_H_
#define TINYMLOPS_DEVICE_CONTENT_KEY_H_

#include "crypto/secure_buffer.h"
#include "device/key_store.h"
#include "format/package_manifest.h"
#include "runtime/status.h"

namespace tinymlops::device {

// `manifest` must be encrypted (manifest.encryption set).
Result<crypto::SecureBuffer> UnsealContentKey(const tpkg::ManifestT& manifest,
                                              const DeviceKeyStore* key_store);

}  // namespace tinymlops::device

#endif  // TINYMLOPS_DEVICE_CONTENT_KEY_H_

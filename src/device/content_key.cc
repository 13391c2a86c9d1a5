#include "device/content_key.h"

namespace tinymlops::device {

Result<crypto::SecureBuffer> UnsealContentKey(const tpkg::ManifestT& manifest,
                                              const DeviceKeyStore* key_store) {
  if (key_store == nullptr)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "the package is encrypted; give the device key folder (--keys DIR)");
  if (!manifest.encryption)
    return Status::Error(StatusCode::kInternal, "the package is not encrypted: no key to open");
  for (const auto& recipient : manifest.encryption->recipients)
    if (recipient->key_id == key_store->device_key_id())
      return key_store->OpenSealedKey(recipient->sealed_content_key.data(),
                                      recipient->sealed_content_key.size());
  return Status::Error(StatusCode::kFailedPrecondition,
                       "the package is encrypted to %zu other device(s), not to this device "
                       "(key %s); encrypt it to this device's device.pub",
                       manifest.encryption->recipients.size(), key_store->device_key_id().c_str());
}

}  // namespace tinymlops::device

// Fixed keys shared by make_fuzz_seeds and the package fuzzers, and the fuzz device's key
// store: the seed packages are signed by the fuzz vendor key and encrypted to the fuzz device
// key, and the package fuzzers re-sign every input's manifest with the same vendor key, so the
// fuzzer explores what lies behind the signature check (manifest, decryption, decompression,
// patching, loading, self-tests).
#ifndef TINYMLOPS_TESTS_FUZZ_FUZZ_KEYS_H_
#define TINYMLOPS_TESTS_FUZZ_FUZZ_KEYS_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "crypto/box_key.h"
#include "crypto/sealed_box.h"
#include "crypto/signing_key.h"
#include "device/key_store.h"
#include "format/package_header.h"
#include "format/package_manifest.h"

namespace tinymlops::fuzz {

inline crypto::SigningKeyPair FuzzKey(uint8_t tag) {
  uint8_t seed[crypto::kSigningSeedBytes];
  for (size_t i = 0; i < sizeof(seed); ++i) seed[i] = static_cast<uint8_t>(tag + i);
  return std::move(*crypto::SigningKeyPair::FromSeed(seed, sizeof(seed)));
}
inline const crypto::SigningKeyPair& FuzzVendorKey() {
  static const crypto::SigningKeyPair key = FuzzKey(1);
  return key;
}
inline const crypto::SigningKeyPair& FuzzDeviceKey() {
  static const crypto::SigningKeyPair key = FuzzKey(101);
  return key;
}

// The fuzz device's identity held in memory.
class FuzzKeyStore : public device::DeviceKeyStore {
 public:
  FuzzKeyStore()
      : id_(FuzzDeviceKey().public_key().key_id()),
        box_(std::move(*crypto::BoxKeyPair::FromSigningKeyPair(FuzzDeviceKey()))) {}
  const std::string& device_key_id() const override { return id_; }
  Result<crypto::SecureBuffer> OpenSealedKey(const uint8_t* sealed, size_t size) const override {
    return crypto::OpenSealedBox(sealed, size, box_);
  }

 private:
  std::string id_;
  crypto::BoxKeyPair box_;
};

// Re-signs the manifest of `package` (when it has a well-formed header) with the fuzz vendor
// key, in place. Returns false when the manifest parses and states a model larger than
// `max_model_bytes`: the fuzzers skip such inputs rather than allocate for them.
inline bool ResignFuzzedPackage(std::vector<uint8_t>& package, uint64_t max_model_bytes) {
  if (package.size() < format::kPackageHeaderBytes) return true;
  auto header = format::DecodePackageHeader(package.data());
  if (!header.ok() || header->manifest_bytes > package.size() - format::kPackageHeaderBytes)
    return true;
  const uint8_t* manifest = package.data() + format::kPackageHeaderBytes;
  auto parsed = format::ParseManifest(manifest, header->manifest_bytes);
  if (parsed.ok() && parsed->model_bytes > max_model_bytes) return false;
  const crypto::Signature signature = FuzzVendorKey().Sign(manifest, header->manifest_bytes);
  std::memcpy(package.data() + 12, signature.data(), signature.size());
  return true;
}

}  // namespace tinymlops::fuzz

#endif  // TINYMLOPS_TESTS_FUZZ_FUZZ_KEYS_H_

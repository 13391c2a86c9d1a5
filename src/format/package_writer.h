// Host side of .tpkg packages (format/package_header.h): building, encrypting and signing them
// in memory, for the CLI and tests. The device never needs this file.
//
// BuildPackage compresses a .tmm with zstd into a clear payload and fills the manifest's sizes,
// chunk size, payload hash and model hash (the caller fills identity fields: model id, version,
// release, ...). EncryptPackage replaces a clear payload with XChaCha20-Poly1305 secretstream
// chunks under a fresh random content key, sealed to each device (crypto_box_seal to the X25519
// key derived from its Ed25519 identity); the recipients go into the manifest, so the signature
// covers them, and the clear model's hash stays in it. SerializePackage signs the manifest
// (which names the signer's key id) and frames the package; without a key it writes an unsigned
// package (zero signature) that devices refuse. ParsePackageUnverified reads a package back for
// `inspect`, `sign` and `encrypt` WITHOUT checking its signature; devices use
// format/package_reader.h instead.
// Errors: kInvalidArgument (bad model, already encrypted, malformed package), kInternal (zstd).
// Thread-safety: pure functions.
#ifndef TINYMLOPS_FORMAT_PACKAGE_WRITER_H_
#define TINYMLOPS_FORMAT_PACKAGE_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "crypto/signing_key.h"
#include "format/package_manifest.h"
#include "runtime/status.h"

namespace tinymlops::format {

struct PackageContents {
  tpkg::ManifestT manifest;
  std::vector<uint8_t> payload;   // as stored: compressed, maybe encrypted
  crypto::Signature signature{};  // as read by ParsePackageUnverified; SerializePackage re-signs
};

// OK when `model` is a well-formed .tmm (format/model_file.h) a package may hold.
Status CheckPackageableModel(const uint8_t* model, size_t size);
Result<PackageContents> BuildPackage(const uint8_t* model, size_t size, tpkg::ManifestT manifest,
                                     uint32_t chunk_bytes = kDefaultChunkBytes);
// A package around a payload that is already zstd-compressed (a delta package's patch,
// toolchain/package/model_delta.h): fills the sizes, chunk size and payload hash as
// BuildPackage does, and no model hash (a delta names its result in manifest.delta); the
// caller has checked the model `payload` decodes to.
Result<PackageContents> BuildPackageFromPayload(std::vector<uint8_t> payload, uint64_t model_bytes,
                                                tpkg::ManifestT manifest,
                                                uint32_t chunk_bytes = kDefaultChunkBytes);
Status EncryptPackage(PackageContents& package,
                      const std::vector<crypto::SigningPublicKey>& devices);
Result<std::vector<uint8_t>> SerializePackage(PackageContents& package,
                                              const crypto::SigningKeyPair* signer);
Result<PackageContents> ParsePackageUnverified(const uint8_t* data, size_t size);

}  // namespace tinymlops::format

#endif  // TINYMLOPS_FORMAT_PACKAGE_WRITER_H_

// ApplyDeltaPackage: the device side of delta updates (issue 5). A delta package
// (toolchain/package/model_delta.h) is a signed, possibly encrypted package whose payload is a
// zstd patch of a new model against the model the device has installed.
//
// Inputs: the delta package's bytes, the installed model's clear bytes (`base`: what the
// PackageLoader decrypted into locked memory; PackageLoader::LoadDelta passes the model it
// serves), the trusted vendor keys and the device's key store (for an encrypted delta).
// Order of checks: the signature over the manifest (format/package_reader.h) before anything is
// parsed; that the package is a delta; that BLAKE2b-256 of `base` is the signed base hash; then
// payload -> decrypt -> zstd with `base` as referenced prefix (ZSTD_DCtx_refPrefix) into a new
// locked buffer of the signed result size, the payload's signed hash, and last the BLAKE2b-256
// of the result against the signed result hash. Only a result that passed all of them is
// returned; on any failure the buffer is zeroed and freed. A BytePlanes delta
// (format/byte_planes.h) decodes between byte-plane copies of the base and of the result, so
// it needs two more model-sized locked buffers while it runs (freed before it returns).
//
// Errors: every failure is a one-line error ending in what to do; the caller (the agent) then
// downloads and installs the full package instead: kFailedPrecondition (not a delta, another
// base, not encrypted to this device, bad signature), kInvalidArgument (patch or result
// altered or damaged), kResourceExhausted (no memory). `base` is never modified.
// Thread-safety: pure function over its arguments; `base` must not change while it runs.
#ifndef TINYMLOPS_DEVICE_DELTA_PATCH_H_
#define TINYMLOPS_DEVICE_DELTA_PATCH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "crypto/secure_buffer.h"
#include "crypto/signing_key.h"
#include "device/key_store.h"
#include "format/byte_source.h"
#include "format/package_manifest.h"
#include "runtime/status.h"

namespace tinymlops::device {

struct PatchedModel {
  tpkg::ManifestT manifest;    // the delta package's signed manifest: the result's identity
  crypto::SecureBuffer model;  // the result model (manifest.model_bytes), locked memory
};

Result<PatchedModel> ApplyDeltaPackage(std::unique_ptr<format::ByteSource> delta,
                                       const uint8_t* base, size_t base_size,
                                       const std::vector<crypto::SigningPublicKey>& trusted,
                                       const DeviceKeyStore* key_store);

}  // namespace tinymlops::device

#endif  // TINYMLOPS_DEVICE_DELTA_PATCH_H_

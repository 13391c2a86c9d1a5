#include "device/delta_patch.h"

#include "crypto/content_hash.h"
#include "device/content_key.h"
#include "format/byte_planes.h"
#include "format/package_reader.h"

namespace tinymlops::device {
namespace {

constexpr char kFallBack[] = "install the full package instead";

}  // namespace

Result<PatchedModel> ApplyDeltaPackage(std::unique_ptr<format::ByteSource> delta,
                                       const uint8_t* base, size_t base_size,
                                       const std::vector<crypto::SigningPublicKey>& trusted,
                                       const DeviceKeyStore* key_store) {
  TMM_ASSIGN_OR_RETURN(std::unique_ptr<format::PackageReader> reader,
                       format::PackageReader::Open(std::move(delta), trusted));
  const tpkg::ManifestT& manifest = reader->manifest();
  if (!manifest.delta)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "it is a whole-model package, not a delta package: load it directly");
  const std::vector<uint8_t> base_hash = crypto::ContentHash(base, base_size);
  if (!crypto::ContentHashesEqual(base_hash, manifest.delta->base_model_hash))
    return Status::Error(StatusCode::kFailedPrecondition,
                         "the delta applies to model %s, but the installed model is %s; %s",
                         crypto::ShortHashName(manifest.delta->base_model_hash).c_str(),
                         crypto::ShortHashName(base_hash).c_str(), kFallBack);
  crypto::SecureBuffer content_key;
  if (reader->encrypted()) {
    TMM_ASSIGN_OR_RETURN(content_key, UnsealContentKey(manifest, key_store));
  }
  const size_t model_size = static_cast<size_t>(manifest.model_bytes);
  PatchedModel patched;
  TMM_ASSIGN_OR_RETURN(patched.model, crypto::SecureBuffer::Allocate(model_size));
  const crypto::SecureBuffer* key = reader->encrypted() ? &content_key : nullptr;
  Status read;
  if (manifest.delta->transform == tpkg::DeltaTransform::BytePlanes) {
    // The patch maps the base's byte planes to the result's: both in locked memory too.
    TMM_ASSIGN_OR_RETURN(crypto::SecureBuffer base_planes,
                         crypto::SecureBuffer::Allocate(base_size));
    TMM_ASSIGN_OR_RETURN(crypto::SecureBuffer result_planes,
                         crypto::SecureBuffer::Allocate(model_size));
    format::SplitBytePlanes(base, base_size, base_planes.data());
    read = reader->ReadPatchedModel(key, base_planes.data(), base_size, result_planes.data(),
                                    model_size);
    if (read.ok()) format::JoinBytePlanes(result_planes.data(), model_size, patched.model.data());
  } else {
    read = reader->ReadPatchedModel(key, base, base_size, patched.model.data(), model_size);
  }
  if (!read.ok())
    return Status::Error(read.code(), "the patch does not apply: %s; %s", read.message(),
                         kFallBack);
  if (!crypto::ContentHashesEqual(crypto::ContentHash(patched.model.data(), patched.model.size()),
                                  manifest.delta->result_model_hash))
    return Status::Error(StatusCode::kInvalidArgument,
                         "the patched model does not match the signed result hash %s; %s",
                         crypto::ShortHashName(manifest.delta->result_model_hash).c_str(),
                         kFallBack);
  patched.manifest = manifest;
  return patched;
}

}  // namespace tinymlops::device

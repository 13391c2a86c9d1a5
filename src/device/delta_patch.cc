#include "device/delta_patch.h"

#include "crypto/content_hash.h"
#include "device/content_key.h"
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
  PatchedModel patched;
  TMM_ASSIGN_OR_RETURN(patched.model,
                       crypto::SecureBuffer::Allocate(static_cast<size_t>(manifest.model_bytes)));
  const Status read =
      reader->ReadPatchedModel(reader->encrypted() ? &content_key : nullptr, base, base_size,
                               patched.model.data(), patched.model.size());
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

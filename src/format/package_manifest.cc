#include "format/package_manifest.h"

#include "crypto/key_id.h"
#include "crypto/sealed_box.h"
#include "format/semantic_version.h"
#include "runtime/tensor.h"

namespace tinymlops::format {
namespace {

Status Invalid(const char* what) {
  return Status::Error(StatusCode::kInvalidArgument,
                       "the package manifest is invalid: %s; rebuild the package", what);
}

Status CheckTensorValue(const tpkg::TensorValueT& value) {
  if (value.dtype > static_cast<uint8_t>(runtime::DType::kInt64))
    return Invalid("a self-test tensor has an unknown dtype");
  if (value.shape.size() > static_cast<size_t>(runtime::kMaxRank))
    return Invalid("a self-test tensor has too many dimensions");
  uint64_t elements = 1;
  for (int32_t dim : value.shape) {
    if (dim < 0) return Invalid("a self-test tensor has a negative dimension");
    elements *= static_cast<uint64_t>(dim);
    if (elements > kMaxManifestElements) return Invalid("a self-test tensor is too large");
  }
  if (elements * runtime::DTypeSize(static_cast<runtime::DType>(value.dtype)) != value.data.size())
    return Invalid("a self-test tensor's data does not match its dtype and shape");
  return Status::Ok();
}

Status CheckManifest(const tpkg::ManifestT& manifest) {
  if (manifest.model_id.empty()) return Invalid("model_id is empty");
  if (!ParseSemanticVersion(manifest.version).ok())
    return Invalid("version is not a semantic version");
  if (!ParseSemanticVersion(manifest.min_runtime_version).ok())
    return Invalid("min_runtime_version is not a semantic version");
  if (manifest.payload_hash.size() != kPayloadHashBytes)
    return Invalid("payload_hash is not 32 bytes");
  if (manifest.chunk_bytes == 0 || manifest.chunk_bytes > kMaxChunkBytes)
    return Invalid("chunk_bytes is out of range");
  if (manifest.model_bytes == 0 || manifest.model_bytes > kMaxModelBytes)
    return Invalid("model_bytes is out of range");
  if (manifest.payload_bytes == 0 || manifest.payload_bytes > 2 * kMaxModelBytes)
    return Invalid("payload_bytes is out of range");
  if (!manifest.model_hash.empty() && manifest.model_hash.size() != kPayloadHashBytes)
    return Invalid("model_hash is not 32 bytes");
  if (!manifest.model_hash.empty() && manifest.delta)
    return Invalid("a delta package carries model_hash (its model is the delta's result hash)");
  if (const tpkg::EncryptionT* encryption = manifest.encryption.get()) {
    if (encryption->stream_header.size() != kStreamHeaderBytes)
      return Invalid("the encryption stream header is not 24 bytes");
    if (encryption->recipients.empty()) return Invalid("an encrypted package has no recipient");
    for (const auto& recipient : encryption->recipients) {
      if (!recipient || recipient->key_id.size() != 2 * crypto::kKeyIdBytes)
        return Invalid("a recipient's key id is malformed");
      if (recipient->sealed_content_key.size() != kContentKeyBytes + crypto::kSealOverheadBytes)
        return Invalid("a recipient's sealed content key is not 80 bytes");
    }
  }
  if (const tpkg::DeltaT* delta = manifest.delta.get()) {
    if (delta->base_model_hash.size() != kPayloadHashBytes)
      return Invalid("the delta's base_model_hash is not 32 bytes");
    if (delta->result_model_hash.size() != kPayloadHashBytes)
      return Invalid("the delta's result_model_hash is not 32 bytes");
    if (delta->base_model_bytes == 0 || delta->base_model_bytes > kMaxModelBytes)
      return Invalid("the delta's base_model_bytes is out of range");
    if (delta->transform > tpkg::DeltaTransform::MAX)
      return Invalid("the delta's transform is unknown (made by a newer toolchain?)");
  }
  for (const auto& self_test : manifest.self_tests) {
    if (!self_test) return Invalid("a self-test is empty");
    for (const auto* list : {&self_test->inputs, &self_test->expected_outputs})
      for (const auto& value : *list) {
        if (!value) return Invalid("a self-test tensor is empty");
        TMM_RETURN_IF_ERROR(CheckTensorValue(*value));
      }
  }
  return Status::Ok();
}

}  // namespace

uint32_t DeltaWindowLog(uint64_t base_model_bytes, uint64_t result_model_bytes) {
  const uint64_t window = base_model_bytes + result_model_bytes;
  uint32_t log = 10;
  while (log < 63 && (uint64_t{1} << log) < window) ++log;
  return log;
}

Result<tpkg::ManifestT> ParseManifest(const uint8_t* data, size_t size) {
  if (data == nullptr || size < 8 || !tpkg::ManifestBufferHasIdentifier(data))
    return Invalid("it is not a tinymlops manifest (identifier TPKM missing)");
  flatbuffers::Verifier verifier(data, size);
  if (!tpkg::VerifyManifestBuffer(verifier)) return Invalid("its flatbuffer structure is broken");
  tpkg::ManifestT manifest;
  tpkg::GetManifest(data)->UnPackTo(&manifest);
  TMM_RETURN_IF_ERROR(CheckManifest(manifest));
  return manifest;
}

std::vector<uint8_t> SerializeManifest(const tpkg::ManifestT& manifest) {
  flatbuffers::FlatBufferBuilder builder;
  tpkg::FinishManifestBuffer(builder, tpkg::Manifest::Pack(builder, &manifest));
  return std::vector<uint8_t>(builder.GetBufferPointer(),
                              builder.GetBufferPointer() + builder.GetSize());
}

}  // namespace tinymlops::format

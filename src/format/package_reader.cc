#include "format/package_reader.h"

#include <sodium.h>
#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_d_stableOutBuffer: decompress straight into the model
#include <zstd.h>

#include <string>

#include "crypto/content_hash.h"
#include "format/package_header.h"

namespace tinymlops::format {
namespace {

static_assert(kChunkOverheadBytes == crypto_secretstream_xchacha20poly1305_ABYTES, "ABYTES");
static_assert(kStreamHeaderBytes == crypto_secretstream_xchacha20poly1305_HEADERBYTES, "header");
static_assert(kContentKeyBytes == crypto_secretstream_xchacha20poly1305_KEYBYTES, "key");

Status Altered(const char* what) {
  return Status::Error(StatusCode::kInvalidArgument,
                       "the package payload %s: the package was altered or damaged; download it "
                       "again",
                       what);
}

std::string TrustedIds(const std::vector<crypto::SigningPublicKey>& trusted) {
  std::string ids;
  for (const auto& key : trusted) ids += (ids.empty() ? "" : ", ") + key.key_id();
  return ids.empty() ? "none" : ids;
}

// Streaming zstd decompression into one fixed output buffer; with a prefix (a delta package's
// base model), the frame is decoded against it (ZSTD_DCtx_refPrefix) under a window of
// 2^window_log bytes. The prefix is referenced, not copied: it must outlive the decompressor.
class ModelDecompressor {
 public:
  ModelDecompressor(uint8_t* model, size_t size, const uint8_t* prefix = nullptr,
                    size_t prefix_size = 0, uint32_t window_log = 0)
      : context_(ZSTD_createDCtx()) {
    output_ = {model, size, 0};
    if (!context_) return;
    bool ready = !ZSTD_isError(ZSTD_DCtx_setParameter(context_, ZSTD_d_stableOutBuffer, 1));
    if (prefix != nullptr) {
      ready = ready &&
              !ZSTD_isError(ZSTD_DCtx_setParameter(context_, ZSTD_d_windowLogMax,
                                                   static_cast<int>(window_log))) &&
              !ZSTD_isError(ZSTD_DCtx_refPrefix(context_, prefix, prefix_size));
    }
    ready_ = ready;
  }
  ~ModelDecompressor() { ZSTD_freeDCtx(context_); }

  Status Feed(const uint8_t* data, size_t size, bool last) {
    if (!context_)
      return Status::Error(StatusCode::kResourceExhausted, "cannot allocate a zstd context");
    if (!ready_)
      return Status::Error(StatusCode::kResourceExhausted,
                           "cannot set up zstd to decode a %zu-byte model", output_.size);
    ZSTD_inBuffer input = {data, size, 0};
    while (input.pos < input.size) {
      if (finished_) return Altered("has bytes after the compressed model");
      const size_t result = ZSTD_decompressStream(context_, &output_, &input);
      if (ZSTD_isError(result))
        return Status::Error(StatusCode::kInvalidArgument,
                             "the package payload does not decompress (%s): the package was "
                             "altered or damaged",
                             ZSTD_getErrorName(result));
      finished_ = result == 0;
    }
    if (last && (!finished_ || output_.pos != output_.size))
      return Altered("decompresses to a model of another size than the manifest says");
    return Status::Ok();
  }

 private:
  ZSTD_DCtx* context_;
  ZSTD_outBuffer output_;
  bool ready_ = false;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<PackageReader>> PackageReader::Open(
    std::unique_ptr<ByteSource> source, const std::vector<crypto::SigningPublicKey>& trusted) {
  uint8_t header_bytes[kPackageHeaderBytes];
  TMM_RETURN_IF_ERROR(ReadExactly(*source, header_bytes, sizeof(header_bytes), "the header"));
  TMM_ASSIGN_OR_RETURN(const PackageHeader header, DecodePackageHeader(header_bytes));
  std::vector<uint8_t> manifest_bytes(header.manifest_bytes);
  TMM_RETURN_IF_ERROR(
      ReadExactly(*source, manifest_bytes.data(), manifest_bytes.size(), "the manifest"));

  std::unique_ptr<PackageReader> reader(new PackageReader());
  const crypto::SigningPublicKey* signer = nullptr;
  for (const auto& key : trusted)
    if (key.Verifies(manifest_bytes.data(), manifest_bytes.size(), header.signature)) {
      signer = &key;
      break;
    }
  if (signer == nullptr)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "the package signature does not verify with any trusted vendor key "
                         "(trusted: %s): it was altered, is unsigned, or was signed by another "
                         "key; sign it with 'tinymlops package sign'",
                         TrustedIds(trusted).c_str());
  reader->signer_ = *signer;
  TMM_ASSIGN_OR_RETURN(reader->manifest_,
                       ParseManifest(manifest_bytes.data(), manifest_bytes.size()));
  if (reader->manifest_.signer_key_id != signer->key_id())
    return Status::Error(StatusCode::kInvalidArgument,
                         "the manifest names signer %s but key %s signed it; rebuild the package",
                         reader->manifest_.signer_key_id.c_str(), signer->key_id().c_str());
  reader->source_ = std::move(source);
  return reader;
}

Status PackageReader::StreamPayload(const ChunkSink& sink) {
  if (payload_read_)
    return Status::Error(StatusCode::kFailedPrecondition, "the payload was already read");
  payload_read_ = true;
  const size_t stored_chunk = manifest_.chunk_bytes + (encrypted() ? kChunkOverheadBytes : 0);
  std::vector<uint8_t> chunk(stored_chunk);
  crypto_generichash_state hash;
  crypto_generichash_init(&hash, nullptr, 0, kPayloadHashBytes);
  uint64_t remaining = manifest_.payload_bytes;
  while (remaining > 0) {
    const size_t size = remaining < stored_chunk ? static_cast<size_t>(remaining) : stored_chunk;
    TMM_RETURN_IF_ERROR(ReadExactly(*source_, chunk.data(), size, "the payload"));
    crypto_generichash_update(&hash, chunk.data(), size);
    remaining -= size;
    TMM_RETURN_IF_ERROR(sink(chunk.data(), size, remaining == 0));
  }
  uint8_t extra;
  TMM_ASSIGN_OR_RETURN(const size_t trailing, source_->Read(&extra, 1));
  if (trailing != 0) return Altered("is followed by extra bytes");
  uint8_t digest[kPayloadHashBytes];
  crypto_generichash_final(&hash, digest, sizeof(digest));
  if (sodium_memcmp(digest, manifest_.payload_hash.data(), sizeof(digest)) != 0)
    return Altered("does not match the hash in the signed manifest");
  return Status::Ok();
}

Status PackageReader::VerifyPayload() {
  return StreamPayload([](const uint8_t*, size_t, bool) { return Status::Ok(); });
}

Status PackageReader::ReadModel(const crypto::SecureBuffer* content_key, uint8_t* model,
                                size_t model_size) {
  if (manifest_.delta)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "it is a delta package (a patch against model %s), not a whole model: "
                         "apply it to the installed model as a delta, or install the full package",
                         crypto::ShortHashName(manifest_.delta->base_model_hash).c_str());
  if (model_size != manifest_.model_bytes) return ModelSizeMismatch(model_size);
  ModelDecompressor decompressor(model, model_size);
  return StreamClearPayload(content_key, [&](const uint8_t* chunk, size_t size, bool last) {
    return decompressor.Feed(chunk, size, last);
  });
}

Status PackageReader::ReadPatchedModel(const crypto::SecureBuffer* content_key, const uint8_t* base,
                                       size_t base_size, uint8_t* model, size_t model_size) {
  if (!manifest_.delta)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "it is a whole-model package, not a delta package: load it directly");
  if (base == nullptr || base_size != manifest_.delta->base_model_bytes)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "the delta applies to a %llu-byte base model, not to this %zu-byte one",
                         static_cast<unsigned long long>(manifest_.delta->base_model_bytes),
                         base_size);
  if (model_size != manifest_.model_bytes) return ModelSizeMismatch(model_size);
  ModelDecompressor decompressor(model, model_size, base, base_size,
                                 DeltaWindowLog(base_size, manifest_.model_bytes));
  return StreamClearPayload(content_key, [&](const uint8_t* chunk, size_t size, bool last) {
    return decompressor.Feed(chunk, size, last);
  });
}

Status PackageReader::ModelSizeMismatch(size_t model_size) const {
  return Status::Error(StatusCode::kInternal, "model buffer of %zu bytes for a %llu-byte model",
                       model_size, static_cast<unsigned long long>(manifest_.model_bytes));
}

Status PackageReader::StreamClearPayload(const crypto::SecureBuffer* content_key,
                                         const ChunkSink& sink) {
  if (!encrypted()) return StreamPayload(sink);

  if (content_key == nullptr || content_key->size() != kContentKeyBytes)
    return Status::Error(StatusCode::kInternal, "an encrypted package needs its 32-byte key");
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(
          &state, manifest_.encryption->stream_header.data(), content_key->data()) != 0)
    return Altered("has an invalid encryption header");
  TMM_ASSIGN_OR_RETURN(crypto::SecureBuffer clear,
                       crypto::SecureBuffer::Allocate(manifest_.chunk_bytes));
  size_t chunk_index = 0;
  const Status status = StreamPayload([&](const uint8_t* chunk, size_t size, bool last) {
    unsigned long long clear_size = 0;
    unsigned char tag = 0;
    if (size < kChunkOverheadBytes ||
        crypto_secretstream_xchacha20poly1305_pull(&state, clear.data(), &clear_size, &tag, chunk,
                                                   size, nullptr, 0) != 0)
      return Status::Error(StatusCode::kInvalidArgument,
                           "payload chunk %zu fails authentication: the package was altered or "
                           "its content key is not this device's",
                           chunk_index);
    ++chunk_index;
    const bool final_tag = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    if (final_tag != last) return Altered("is cut or reordered (final chunk out of place)");
    return sink(clear.data(), static_cast<size_t>(clear_size), last);
  });
  sodium_memzero(&state, sizeof(state));
  return status;
}

}  // namespace tinymlops::format

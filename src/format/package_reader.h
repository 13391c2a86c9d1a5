// PackageReader: the device side of a .tpkg package (format/package_header.h), streamed.
//
// Open() reads the fixed header and the raw manifest bytes (at most kMaxManifestBytes, the one
// allocation made before the signature is checked), verifies the Ed25519 signature over them
// against the trusted vendor keys, and only then parses the manifest (format/
// package_manifest.h). ReadModel() then streams the payload chunk by chunk (manifest
// chunk_bytes at a time): each stored chunk is hashed (BLAKE2b-256, incrementally), decrypted
// when the package is encrypted (XChaCha20-Poly1305 secretstream, with the content key the
// caller unsealed) and fed to zstd's streaming decompressor, which writes straight into the
// caller's model buffer. Peak memory beyond the model is one chunk plus zstd's fixed context.
// The model bytes must not be used unless ReadModel returns OK: only then are the payload hash
// (against the signed manifest), the final secretstream tag, the decompressed size and the end
// of the file all checked. VerifyPayload() checks the hash and the end of file without keys.
//
// Errors: every malformed, truncated, altered, or wrongly signed package is an error that says
// what is wrong (kInvalidArgument, kUnsupported, kFailedPrecondition); never a crash.
// A delta package (manifest().delta) holds a zstd patch against a base model instead of a whole
// model: ReadPatchedModel decodes it against that base.
// Thread-safety: one thread at a time per reader. ReadModel, ReadPatchedModel or VerifyPayload
// may be called once.
#ifndef TINYMLOPS_FORMAT_PACKAGE_READER_H_
#define TINYMLOPS_FORMAT_PACKAGE_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "crypto/secure_buffer.h"
#include "crypto/signing_key.h"
#include "format/byte_source.h"
#include "format/package_manifest.h"
#include "runtime/status.h"

namespace tinymlops::format {

class PackageReader {
 public:
  static Result<std::unique_ptr<PackageReader>> Open(
      std::unique_ptr<ByteSource> source, const std::vector<crypto::SigningPublicKey>& trusted);

  const tpkg::ManifestT& manifest() const { return manifest_; }
  // The trusted key whose signature verified.
  const crypto::SigningPublicKey& signer() const { return signer_; }
  bool encrypted() const { return manifest_.encryption != nullptr; }

  // Writes the decompressed model into `model` (`model_size` must be manifest().model_bytes).
  // `content_key` is the unsealed 32-byte key of an encrypted package, nullptr otherwise.
  // Refused (kFailedPrecondition) for a delta package.
  Status ReadModel(const crypto::SecureBuffer* content_key, uint8_t* model, size_t model_size);
  // A delta package only (manifest().delta): writes the model its patch produces from `base`
  // (manifest().delta->base_model_bytes long; referenced, not copied, while this runs) into
  // `model`. This checks the payload as ReadModel does, not the base's or the result's hash:
  // device/delta_patch.h does, and only its result may be used.
  Status ReadPatchedModel(const crypto::SecureBuffer* content_key, const uint8_t* base,
                          size_t base_size, uint8_t* model, size_t model_size);
  Status VerifyPayload();

 private:
  using ChunkSink = std::function<Status(const uint8_t* chunk, size_t size, bool last)>;
  PackageReader() = default;
  Status StreamPayload(const ChunkSink& sink);
  // StreamPayload, decrypting each chunk first when the package is encrypted.
  Status StreamClearPayload(const crypto::SecureBuffer* content_key, const ChunkSink& sink);
  Status ModelSizeMismatch(size_t model_size) const;

  std::unique_ptr<ByteSource> source_;
  tpkg::ManifestT manifest_;
  crypto::SigningPublicKey signer_;
  bool payload_read_ = false;
};

}  // namespace tinymlops::format

#endif  // TINYMLOPS_FORMAT_PACKAGE_READER_H_

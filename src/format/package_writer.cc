#include "format/package_writer.h"

#include <sodium.h>
#include <zstd.h>

#include <cstring>
#include <ctime>
#include <memory>

#include "crypto/box_key.h"
#include "crypto/content_hash.h"
#include "crypto/sealed_box.h"
#include "crypto/secure_buffer.h"
#include "format/model_file.h"
#include "format/package_header.h"

namespace tinymlops::format {
namespace {

constexpr int kCompressionLevel = 9;

void HashPayload(PackageContents& package) {
  package.manifest.payload_bytes = package.payload.size();
  package.manifest.payload_hash.resize(kPayloadHashBytes);
  crypto_generichash(package.manifest.payload_hash.data(), kPayloadHashBytes,
                     package.payload.data(), package.payload.size(), nullptr, 0);
}

}  // namespace

Status CheckPackageableModel(const uint8_t* model, size_t size) {
  // The runtime reads the model zero-copy, so check it on an aligned copy.
  std::unique_ptr<uint8_t[]> aligned(new uint8_t[size + 16]);
  uint8_t* start = aligned.get() + (16 - reinterpret_cast<uintptr_t>(aligned.get()) % 16) % 16;
  if (size > 0) std::memcpy(start, model, size);
  const auto verified = VerifyModel(start, size);
  if (!verified.ok()) return verified.status();
  if (size > kMaxModelBytes)
    return Status::Error(StatusCode::kOutOfRange,
                         "the model is %zu bytes; packages hold at most "
                         "%llu",
                         size, static_cast<unsigned long long>(kMaxModelBytes));
  return Status::Ok();
}

Result<PackageContents> BuildPackage(const uint8_t* model, size_t size, tpkg::ManifestT manifest,
                                     uint32_t chunk_bytes) {
  TMM_RETURN_IF_ERROR(CheckPackageableModel(model, size));
  std::vector<uint8_t> payload(ZSTD_compressBound(size));
  const size_t compressed =
      ZSTD_compress(payload.data(), payload.size(), model, size, kCompressionLevel);
  if (ZSTD_isError(compressed))
    return Status::Error(StatusCode::kInternal, "zstd compression failed: %s",
                         ZSTD_getErrorName(compressed));
  payload.resize(compressed);
  manifest.delta.reset();
  TMM_ASSIGN_OR_RETURN(
      PackageContents package,
      BuildPackageFromPayload(std::move(payload), size, std::move(manifest), chunk_bytes));
  package.manifest.model_hash = crypto::ContentHash(model, size);
  return package;
}

Result<PackageContents> BuildPackageFromPayload(std::vector<uint8_t> payload, uint64_t model_bytes,
                                                tpkg::ManifestT manifest, uint32_t chunk_bytes) {
  if (chunk_bytes == 0 || chunk_bytes > kMaxChunkBytes)
    return Status::Error(StatusCode::kInvalidArgument, "chunk size %u is out of range (1 to %u)",
                         chunk_bytes, kMaxChunkBytes);
  PackageContents package;
  package.payload = std::move(payload);
  package.manifest = std::move(manifest);
  package.manifest.model_bytes = model_bytes;
  package.manifest.chunk_bytes = chunk_bytes;
  package.manifest.encryption.reset();
  package.manifest.model_hash.clear();
  if (package.manifest.created_unix == 0) package.manifest.created_unix = std::time(nullptr);
  HashPayload(package);
  return package;
}

Status EncryptPackage(PackageContents& package,
                      const std::vector<crypto::SigningPublicKey>& devices) {
  if (package.manifest.encryption)
    return Status::Error(StatusCode::kInvalidArgument,
                         "the package is already encrypted; encrypt the signed clear package "
                         "once, to every device at the same time");
  if (devices.empty())
    return Status::Error(StatusCode::kInvalidArgument, "no device to encrypt the package to");
  TMM_ASSIGN_OR_RETURN(crypto::SecureBuffer content_key,
                       crypto::SecureBuffer::Allocate(kContentKeyBytes));
  crypto_secretstream_xchacha20poly1305_keygen(content_key.data());
  auto encryption = std::make_unique<tpkg::EncryptionT>();
  for (const crypto::SigningPublicKey& device : devices) {
    TMM_ASSIGN_OR_RETURN(const crypto::BoxPublicKey box,
                         crypto::BoxPublicKey::FromSigningKey(device));
    auto recipient = std::make_unique<tpkg::RecipientT>();
    recipient->key_id = device.key_id();
    recipient->sealed_content_key = crypto::SealToKey(content_key.data(), content_key.size(), box);
    encryption->recipients.push_back(std::move(recipient));
  }
  encryption->stream_header.resize(kStreamHeaderBytes);
  crypto_secretstream_xchacha20poly1305_state state;
  crypto_secretstream_xchacha20poly1305_init_push(&state, encryption->stream_header.data(),
                                                  content_key.data());
  const std::vector<uint8_t>& clear = package.payload;
  const size_t chunk = package.manifest.chunk_bytes;
  const size_t chunks = (clear.size() + chunk - 1) / chunk;
  std::vector<uint8_t> sealed(clear.size() + chunks * kChunkOverheadBytes);
  size_t out = 0;
  for (size_t offset = 0; offset < clear.size(); offset += chunk) {
    const size_t size = std::min(chunk, clear.size() - offset);
    const bool last = offset + size == clear.size();
    unsigned long long written = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &state, sealed.data() + out, &written, clear.data() + offset, size, nullptr, 0,
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    out += static_cast<size_t>(written);
  }
  sodium_memzero(&state, sizeof(state));
  package.payload = std::move(sealed);
  package.manifest.encryption = std::move(encryption);
  HashPayload(package);
  return Status::Ok();
}

Result<std::vector<uint8_t>> SerializePackage(PackageContents& package,
                                              const crypto::SigningKeyPair* signer) {
  package.manifest.signer_key_id = signer ? signer->public_key().key_id() : "";
  const std::vector<uint8_t> manifest = SerializeManifest(package.manifest);
  if (manifest.size() > kMaxManifestBytes)
    return Status::Error(StatusCode::kOutOfRange,
                         "the manifest is %zu bytes (at most %u): use fewer or smaller self-test "
                         "vectors",
                         manifest.size(), kMaxManifestBytes);
  PackageHeader header;
  header.manifest_bytes = static_cast<uint32_t>(manifest.size());
  if (signer) header.signature = signer->Sign(manifest.data(), manifest.size());
  package.signature = header.signature;
  const auto header_bytes = EncodePackageHeader(header);
  std::vector<uint8_t> bytes(header_bytes.begin(), header_bytes.end());
  bytes.insert(bytes.end(), manifest.begin(), manifest.end());
  bytes.insert(bytes.end(), package.payload.begin(), package.payload.end());
  return bytes;
}

Result<PackageContents> ParsePackageUnverified(const uint8_t* data, size_t size) {
  if (size < kPackageHeaderBytes)
    return Status::Error(StatusCode::kInvalidArgument,
                         "the file is %zu bytes, too short to be a .tpkg package", size);
  TMM_ASSIGN_OR_RETURN(const PackageHeader header, DecodePackageHeader(data));
  if (header.manifest_bytes > size - kPackageHeaderBytes)
    return Status::Error(StatusCode::kInvalidArgument, "the package is truncated in its manifest");
  PackageContents package;
  package.signature = header.signature;
  TMM_ASSIGN_OR_RETURN(package.manifest,
                       ParseManifest(data + kPackageHeaderBytes, header.manifest_bytes));
  const size_t payload_start = kPackageHeaderBytes + header.manifest_bytes;
  if (size - payload_start != package.manifest.payload_bytes)
    return Status::Error(StatusCode::kInvalidArgument,
                         "the payload is %zu bytes but the manifest says %llu; the package is "
                         "truncated or altered",
                         size - payload_start,
                         static_cast<unsigned long long>(package.manifest.payload_bytes));
  package.payload.assign(data + payload_start, data + size);
  return package;
}

}  // namespace tinymlops::format

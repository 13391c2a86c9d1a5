// The package manifest (format/package_manifest.fbs) as a C++ value (flatbuffers' object API,
// tpkg::ManifestT), and its byte form.
//
// ParseManifest runs the flatbuffers Verifier on bytes whose signature has already been
// verified, then checks the invariants every reader relies on: the file identifier, a model id,
// semantic versions, a 32-byte payload hash, a model hash absent or 32 bytes (and absent in a
// delta package), sizes and chunk size within bounds, a well-formed encryption block (24-byte
// stream header, at least one recipient, 80-byte sealed keys) and self-test tensors whose data
// matches dtype and shape, and for a delta package 32-byte base and result hashes, a base size
// within bounds and a known transform. SerializeManifest is deterministic. Errors: kInvalidArgument
// naming the field. Thread-safety: pure functions.
#ifndef TINYMLOPS_FORMAT_PACKAGE_MANIFEST_H_
#define TINYMLOPS_FORMAT_PACKAGE_MANIFEST_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "format/package_manifest_generated.h"
#include "runtime/status.h"

namespace tinymlops::format {

constexpr uint32_t kDefaultChunkBytes = 64u << 10;
constexpr uint32_t kMaxChunkBytes = 4u << 20;
constexpr uint64_t kMaxModelBytes = uint64_t{1} << 30;
constexpr size_t kPayloadHashBytes = 32;
constexpr size_t kContentKeyBytes = 32;
constexpr size_t kStreamHeaderBytes = 24;
constexpr size_t kChunkOverheadBytes = 17;                    // secretstream ABYTES per chunk
constexpr uint64_t kMaxManifestElements = uint64_t{1} << 24;  // per self-test tensor

// log2 of the zstd window a delta package's patch is made with and decoded under: the smallest
// power of two that holds the base model and the result together (at least 2^10), so every
// byte of the base stays reachable while the result is written.
uint32_t DeltaWindowLog(uint64_t base_model_bytes, uint64_t result_model_bytes);

Result<tpkg::ManifestT> ParseManifest(const uint8_t* data, size_t size);
std::vector<uint8_t> SerializeManifest(const tpkg::ManifestT& manifest);

}  // namespace tinymlops::format

#endif  // TINYMLOPS_FORMAT_PACKAGE_MANIFEST_H_

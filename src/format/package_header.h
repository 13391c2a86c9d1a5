// The fixed framing at the start of every .tpkg package:
//
//   offset 0   4 bytes  magic "TPKG"
//          4   4 bytes  format version (little-endian uint32, kPackageFormatVersion)
//          8   4 bytes  manifest length M (little-endian uint32, at most kMaxManifestBytes)
//         12  64 bytes  Ed25519 signature of the M manifest bytes
//         76   M bytes  manifest (flatbuffer, format/package_manifest.fbs)
//     76 + M            payload: the .tmm, zstd-compressed, optionally in XChaCha20-Poly1305
//                       secretstream chunks; exactly manifest.payload_bytes long
//
// The signature comes before the manifest so that a reader verifies it over the raw manifest
// bytes before it parses anything. The manifest holds the payload's BLAKE2b-256 hash, so the
// signature covers every byte of the package.
// Errors (DecodePackageHeader): not a package, a newer format, a manifest length out of
// bounds; all kInvalidArgument or kUnsupported. Thread-safety: pure functions.
#ifndef TINYMLOPS_FORMAT_PACKAGE_HEADER_H_
#define TINYMLOPS_FORMAT_PACKAGE_HEADER_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "crypto/signing_key.h"
#include "runtime/status.h"

namespace tinymlops::format {

constexpr uint32_t kPackageFormatVersion = 1;
constexpr size_t kPackageHeaderBytes = 12 + crypto::kSignatureBytes;
constexpr uint32_t kMaxManifestBytes = 16u << 20;

struct PackageHeader {
  uint32_t manifest_bytes = 0;
  crypto::Signature signature{};
};

std::array<uint8_t, kPackageHeaderBytes> EncodePackageHeader(const PackageHeader& header);
Result<PackageHeader> DecodePackageHeader(const uint8_t* bytes);  // kPackageHeaderBytes bytes

}  // namespace tinymlops::format

#endif  // TINYMLOPS_FORMAT_PACKAGE_HEADER_H_

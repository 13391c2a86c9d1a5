#include "format/package_header.h"

#include <cstring>

namespace tinymlops::format {
namespace {

constexpr uint8_t kMagic[4] = {'T', 'P', 'K', 'G'};

void PutU32(uint8_t* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint32_t GetU32(const uint8_t* in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= static_cast<uint32_t>(in[i]) << (8 * i);
  return value;
}

}  // namespace

std::array<uint8_t, kPackageHeaderBytes> EncodePackageHeader(const PackageHeader& header) {
  std::array<uint8_t, kPackageHeaderBytes> bytes{};
  std::memcpy(bytes.data(), kMagic, 4);
  PutU32(bytes.data() + 4, kPackageFormatVersion);
  PutU32(bytes.data() + 8, header.manifest_bytes);
  std::memcpy(bytes.data() + 12, header.signature.data(), header.signature.size());
  return bytes;
}

Result<PackageHeader> DecodePackageHeader(const uint8_t* bytes) {
  if (std::memcmp(bytes, kMagic, 4) != 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "not a .tpkg package (it does not start with TPKG); build one with "
                         "'tinymlops package build'");
  const uint32_t version = GetU32(bytes + 4);
  if (version != kPackageFormatVersion)
    return Status::Error(StatusCode::kUnsupported,
                         "package format version %u; this runtime reads version %u: update the "
                         "runtime or rebuild the package",
                         version, kPackageFormatVersion);
  PackageHeader header;
  header.manifest_bytes = GetU32(bytes + 8);
  if (header.manifest_bytes == 0 || header.manifest_bytes > kMaxManifestBytes)
    return Status::Error(StatusCode::kInvalidArgument,
                         "the package declares a manifest of %u bytes (allowed 1 to %u); the "
                         "package is corrupt",
                         header.manifest_bytes, kMaxManifestBytes);
  std::memcpy(header.signature.data(), bytes + 12, header.signature.size());
  return header;
}

}  // namespace tinymlops::format

// libFuzzer target: arbitrary bytes as a .tpkg package, opened by the device's PackageLoader.
// Before opening, the target re-signs the manifest bytes (as the header frames them) with the
// fuzz vendor key, so mutations reach the manifest parser, decryption (to the fuzz device key),
// decompression, model loading and self-tests. Packages declaring models beyond 16 MiB are
// skipped (a device refuses them by its memory budget). Loading must fail with a Status or
// succeed; nothing may crash, read out of bounds or leak.
#include <cstdint>
#include <cstring>
#include <vector>

#include "device/package_loader.h"
#include "format/byte_source.h"
#include "format/package_header.h"
#include "fuzz/fuzz_keys.h"

namespace {

using namespace tinymlops;

constexpr uint64_t kMaxFuzzedModel = 16u << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::FuzzKeyStore* key_store = new fuzz::FuzzKeyStore();
  static const runtime::OpResolver* resolver = [] {
    auto* kernels = new runtime::OpResolver();
    runtime::AddReferenceKernels(*kernels);
    return kernels;
  }();
  std::vector<uint8_t> bytes(data, data + size);
  if (size >= format::kPackageHeaderBytes) {
    auto header = format::DecodePackageHeader(bytes.data());
    if (header.ok() && header->manifest_bytes <= size - format::kPackageHeaderBytes) {
      const uint8_t* manifest = bytes.data() + format::kPackageHeaderBytes;
      auto parsed = format::ParseManifest(manifest, header->manifest_bytes);
      if (parsed.ok() && parsed->model_bytes > kMaxFuzzedModel) return 0;
      const crypto::Signature signature =
          fuzz::FuzzVendorKey().Sign(manifest, header->manifest_bytes);
      std::memcpy(bytes.data() + 12, signature.data(), signature.size());
    }
  }
  device::LoaderOptions options;
  options.trusted_vendors = {fuzz::FuzzVendorKey().public_key()};
  options.key_store = key_store;
  options.resolver = resolver;
  options.start_guard = false;
  device::PackageLoader loader(options);
  const Status status = loader.Load(
      std::make_unique<format::MemoryByteSource>(bytes.data(), bytes.size()), "fuzz.tpkg");
  if (status.ok() && loader.guard()->VerifyAll().ok() != true) __builtin_trap();
  return 0;
}

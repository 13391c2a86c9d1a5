// libFuzzer target: arbitrary bytes as a .tpkg package, opened by the device's PackageLoader.
// Before opening, the target re-signs the manifest bytes (as the header frames them) with the
// fuzz vendor key, so mutations reach the manifest parser, decryption (to the fuzz device key),
// decompression, model loading and self-tests. Packages declaring models beyond 16 MiB are
// skipped (a device refuses them by its memory budget). Loading must fail with a Status or
// succeed; nothing may crash, read out of bounds or leak.
#include <cstdint>
#include <vector>

#include "device/package_loader.h"
#include "format/byte_source.h"
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
  if (!fuzz::ResignFuzzedPackage(bytes, kMaxFuzzedModel)) return 0;
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

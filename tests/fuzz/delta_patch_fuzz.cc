// libFuzzer target: arbitrary bytes as a delta package (device/delta_patch.h), applied to a
// fixed base model (the 64-wide scale model of the seeds). As package_reader_fuzz does, the
// target first re-signs the manifest bytes with the fuzz vendor key, so mutations reach the
// manifest's Delta block, the base-hash check, decryption (to the fuzz device key), the zstd
// patch against the base (both transforms) and the result-hash check. Deltas declaring results
// beyond 16 MiB are skipped. Applying must fail with a Status or return exactly the model whose
// hash the manifest signs; nothing may crash, read out of bounds or leak.
#include <cstdint>
#include <vector>

#include "crypto/content_hash.h"
#include "device/delta_patch.h"
#include "format/byte_source.h"
#include "fuzz/fuzz_keys.h"
#include "support/package_fixtures.h"

using namespace tinymlops;

namespace {
constexpr uint64_t kMaxFuzzedModel = 16u << 20;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::FuzzKeyStore* key_store = new fuzz::FuzzKeyStore();
  static const std::vector<uint8_t>* base = new std::vector<uint8_t>(test_support::ScaleModel(64));
  std::vector<uint8_t> bytes(data, data + size);
  if (!fuzz::ResignFuzzedPackage(bytes, kMaxFuzzedModel)) return 0;
  auto patched = device::ApplyDeltaPackage(
      std::make_unique<format::MemoryByteSource>(bytes.data(), bytes.size()), base->data(),
      base->size(), {fuzz::FuzzVendorKey().public_key()}, key_store);
  if (patched.ok() &&
      !crypto::ContentHashesEqual(crypto::ContentHash(patched->model.data(), patched->model.size()),
                                  patched->manifest.delta->result_model_hash))
    __builtin_trap();
  return 0;
}

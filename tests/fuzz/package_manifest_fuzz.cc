// libFuzzer target: arbitrary bytes as a package manifest (format/package_manifest.h).
// ParseManifest must either fail with a Status or return a manifest that serializes again;
// nothing may crash, read out of bounds or leak.
#include <cstdint>

#include "format/package_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto manifest = tinymlops::format::ParseManifest(data, size);
  if (manifest.ok()) {
    const std::vector<uint8_t> again = tinymlops::format::SerializeManifest(*manifest);
    if (!tinymlops::format::ParseManifest(again.data(), again.size()).ok()) __builtin_trap();
  }
  return 0;
}

// libFuzzer target: arbitrary bytes as a .npy file. Parsing must fail with a Status or give a
// tensor whose serialization parses back to the same tensor.
#include <cstdint>
#include <string>

#include "toolchain/io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  auto tensor = tinymlops::toolchain::ParseNpy(bytes, "fuzz.npy");
  if (!tensor.ok()) return 0;
  auto again = tinymlops::toolchain::ParseNpy(tinymlops::toolchain::SerializeNpy(*tensor), "again");
  if (!again.ok() || again->dtype != tensor->dtype || again->shape != tensor->shape ||
      again->data != tensor->data)
    __builtin_trap();  // SerializeNpy and ParseNpy disagree
  return 0;
}

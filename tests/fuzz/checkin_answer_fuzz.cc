// libFuzzer target: arbitrary bytes as the server's answer to a check-in
// (agent/checkin_message.h). An accepted desired release must name only safe variant file
// names, 64-hex-digit hashes and a default variant it lists, and a delta offer it keeps only
// with 64-hex-digit hashes, a path under /v1/ and a base version; nothing may throw, crash,
// read out of bounds or leak.
#include <cstdint>
#include <string>

#include "agent/checkin_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tinymlops::agent;
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto answer = ParseCheckinAnswer(body);
  if (answer.ok() && answer->desired) {
    for (const SlotVariant& v : answer->desired->variants) {
      if (!CheckVariantName(v.name).ok() || v.artifact_hash.size() != 64) __builtin_trap();
      if (v.deltas.size() > 1) __builtin_trap();  // the one offer, if any
      for (const SlotDelta& d : v.deltas)
        if (d.artifact_hash.size() != 64 || d.base_artifact_hash.size() != 64 ||
            d.package.rfind("/v1/", 0) != 0 || d.base_version.empty())
          __builtin_trap();
    }
    if (!answer->desired->variants.empty() &&
        answer->desired->Find(answer->desired->default_variant) == nullptr)
      __builtin_trap();
  }
  return 0;
}

#include "format/byte_planes.h"

#include <cstring>

namespace tinymlops::format {

void SplitBytePlanes(const uint8_t* in, size_t size, uint8_t* out) {
  const size_t words = size / kBytePlaneWord;
  for (size_t plane = 0; plane < kBytePlaneWord; ++plane)
    for (size_t i = 0; i < words; ++i) out[plane * words + i] = in[i * kBytePlaneWord + plane];
  const size_t tail = words * kBytePlaneWord;
  if (size > tail) std::memcpy(out + tail, in + tail, size - tail);
}

void JoinBytePlanes(const uint8_t* in, size_t size, uint8_t* out) {
  const size_t words = size / kBytePlaneWord;
  for (size_t plane = 0; plane < kBytePlaneWord; ++plane)
    for (size_t i = 0; i < words; ++i) out[i * kBytePlaneWord + plane] = in[plane * words + i];
  const size_t tail = words * kBytePlaneWord;
  if (size > tail) std::memcpy(out + tail, in + tail, size - tail);
}

}  // namespace tinymlops::format

// Byte planes: the exact, reversible reordering of a model's bytes that a delta package may
// make its patch over (manifest Delta.transform = kDeltaTransformBytePlanes). The first
// floor(n / 4) * 4 bytes are read as 4-byte words; plane k (k = 0..3) is byte k of every word,
// and the planes are stored one after another, followed by the last n % 4 bytes unchanged.
// Why: a fine-tuned model changes every float weight a little. In each little-endian float the
// high bytes (sign, exponent, top of the mantissa) mostly stay while the low bytes change, so
// grouping bytes by position turns "every 4-byte weight differs" into long unchanged runs that
// zstd's patch-from matches against the base (docs/benchmarks.md, delta updates).
// Inputs: `in` and `out` are `size` bytes and do not overlap. Thread-safety: pure functions.
#ifndef TINYMLOPS_FORMAT_BYTE_PLANES_H_
#define TINYMLOPS_FORMAT_BYTE_PLANES_H_

#include <cstddef>
#include <cstdint>

namespace tinymlops::format {

constexpr size_t kBytePlaneWord = 4;

void SplitBytePlanes(const uint8_t* in, size_t size, uint8_t* out);
// The inverse of SplitBytePlanes.
void JoinBytePlanes(const uint8_t* in, size_t size, uint8_t* out);

}  // namespace tinymlops::format

#endif  // TINYMLOPS_FORMAT_BYTE_PLANES_H_

// Loads 16 int32 lanes from memory at a fixed element stride (AVX-512), for the optimized int8
// convolutions whose lanes are 16 consecutive output pixels of a row: lane i reads
// source[i * stride]. kStride 1 and 2 are specialised (one or two loads); kStride 0 means "any
// stride" and gathers with `gather_index` (i * stride per lane, from StridedGatherIndex).
// The caller guarantees that source[0 .. 16 * stride) is readable.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_STRIDED_LOAD_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_STRIDED_LOAD_H_

#include <cstdint>

#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

namespace tinymlops::runtime::optimized {

inline __m512i StridedGatherIndex(int stride) {
  return _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                            _mm512_set1_epi32(stride));
}

template <int kStride>
inline __m512i LoadStrided(const void* source, __m512i gather_index) {
  if constexpr (kStride == 1) {
    return _mm512_loadu_si512(source);
  } else if constexpr (kStride == 2) {
    const auto* dwords = static_cast<const int32_t*>(source);
    const __m512i even =
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_epi32(_mm512_loadu_si512(dwords), even,
                                     _mm512_loadu_si512(dwords + 16));
  } else {
    return _mm512_i32gather_epi32(gather_index, source, 4);
  }
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_STRIDED_LOAD_H_

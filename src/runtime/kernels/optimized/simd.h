// Which optimized host kernels this build has, and the small vector helpers they share. The
// optimized kernels are written with AVX-512 intrinsics (F, BW, VL, DQ); a build for a CPU without
// them (or for a microcontroller) leaves TINYMLOPS_OPTIMIZED_AVX512 undefined, compiles none of
// them, and AddOptimizedKernels then registers only the reference kernels. Builds use -march=native
// by default (TINYMLOPS_NATIVE).
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_SIMD_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_SIMD_H_

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#define TINYMLOPS_OPTIMIZED_AVX512 1
// GCC 12's AVX-512 headers pass _mm512_undefined_ps() into masked builtins, which its own
// -Wuninitialized flags (GCC bug 105593); the warning points into the header, so silence it
// there only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif
#endif

#ifdef TINYMLOPS_OPTIMIZED_AVX512
namespace tinymlops::runtime::optimized {

// The first `lanes` (0 to 16) lanes of a vector.
inline __mmask16 LaneMask(int lanes) { return static_cast<__mmask16>((1u << lanes) - 1u); }

// Copies `count` floats with masked vector moves: for the short rows (a few to a few dozen
// floats) of im2col and padded planes, where a memcpy call costs more than the copy.
inline void CopyFloats(float* destination, const float* source, int count) {
  for (; count >= 16; count -= 16, source += 16, destination += 16)
    _mm512_storeu_ps(destination, _mm512_loadu_ps(source));
  if (count > 0) {
    const __mmask16 mask = LaneMask(count);
    _mm512_mask_storeu_ps(destination, mask, _mm512_maskz_loadu_ps(mask, source));
  }
}

// Sets `count` floats to zero, as CopyFloats.
inline void ZeroFloats(float* destination, int count) {
  const __m512 zero = _mm512_setzero_ps();
  for (; count >= 16; count -= 16, destination += 16) _mm512_storeu_ps(destination, zero);
  if (count > 0) _mm512_mask_storeu_ps(destination, LaneMask(count), zero);
}

}  // namespace tinymlops::runtime::optimized
#endif  // TINYMLOPS_OPTIMIZED_AVX512

#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_SIMD_H_

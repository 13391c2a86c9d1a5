// The requantization of quantized_math.h / linear_requantization.h on 16 int32 lanes (AVX-512),
// for the optimized int8 kernels whose lanes share one output channel:
//   y = clamp(MultiplyByQuantizedMultiplier(acc, multiplier, shift) + zero_point, min, max)
// Every lane's result is the scalar functions' to the bit, for every int32 input and every
// multiplier and shift that QuantizeMultiplier produces (multiplier >= 0, shift in [-31, 30]).
// Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_VECTOR_REQUANTIZATION_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_VECTOR_REQUANTIZATION_H_

#include <cstdint>

#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

namespace tinymlops::runtime::optimized {

// One output channel's requantization, in the form the vector code applies.
struct ChannelRequantization {
  int32_t multiplier = 0;
  int32_t left_shift = 0;   // max(shift, 0)
  int32_t right_shift = 0;  // max(-shift, 0)

  static ChannelRequantization FromShift(int32_t multiplier, int shift) {
    return {multiplier, shift > 0 ? shift : 0, shift > 0 ? 0 : -shift};
  }
};

// SaturatingRoundingDoublingHighMul(a[i], b[i]) per lane, for multipliers b[i] >= 0 (as
// QuantizeMultiplier makes them), so the one overflow case (both INT32_MIN) cannot occur.
// (a*b + 2^30) >> 31 (arithmetic) equals the scalar's truncating division of a*b + nudge by
// 2^31 for either sign of a*b; it fits in int32, so it is bits 31..62 of a*b + 2^30: moved
// into the low dword of the even lanes' products and the high dword of the odd lanes'.
inline __m512i SaturatingRoundingDoublingHighMulVector(__m512i a, __m512i b) {
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(a, b), nudge);
  const __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32)), nudge);
  return _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
}

// RoundingDivideByPOT(x[i], exponent[i]) per lane, exponents in [0, 31].
inline __m512i RoundingDivideByPOTVector(__m512i x, __m512i exponent) {
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, exponent), one);
  const __m512i remainder = _mm512_and_si512(x, mask);
  const __mmask16 negative = _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512());
  const __m512i half = _mm512_srli_epi32(mask, 1);
  const __m512i threshold = _mm512_mask_add_epi32(half, negative, half, one);
  const __m512i shifted = _mm512_srav_epi32(x, exponent);
  const __mmask16 round_up = _mm512_cmpgt_epi32_mask(remainder, threshold);
  return _mm512_mask_add_epi32(shifted, round_up, shifted, one);
}

// MultiplyByQuantizedMultiplier(x[i], multiplier[i], shift[i]) per lane, the shift given as
// left_shift = max(shift, 0), right_shift = max(-shift, 0).
inline __m512i MultiplyByQuantizedMultiplierLanes(__m512i x, __m512i multiplier, __m512i left_shift,
                                                  __m512i right_shift) {
  return RoundingDivideByPOTVector(
      SaturatingRoundingDoublingHighMulVector(_mm512_sllv_epi32(x, left_shift), multiplier),
      right_shift);
}

// MultiplyByQuantizedMultiplierLanes with one channel's parameters in every lane.
inline __m512i MultiplyByQuantizedMultiplierVector(__m512i x,
                                                   const ChannelRequantization& channel) {
  return MultiplyByQuantizedMultiplierLanes(x, _mm512_set1_epi32(channel.multiplier),
                                            _mm512_set1_epi32(channel.left_shift),
                                            _mm512_set1_epi32(channel.right_shift));
}

// clamp(MultiplyByQuantizedMultiplier(accumulator[i], multiplier[i], shift[i]) + zero_point,
// low, high) per lane, the shift given as left_shift = max(shift, 0), right_shift = max(-shift, 0).
inline __m512i RequantizeLanes(__m512i accumulator, __m512i multiplier, __m512i left_shift,
                               __m512i right_shift, __m512i zero_point, __m512i low, __m512i high) {
  const __m512i scaled =
      MultiplyByQuantizedMultiplierLanes(accumulator, multiplier, left_shift, right_shift);
  return _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(scaled, zero_point), low), high);
}

// RequantizeLanes with one channel's parameters in every lane.
inline __m512i RequantizeVector(__m512i accumulator, const ChannelRequantization& channel,
                                __m512i zero_point, __m512i low, __m512i high) {
  return RequantizeLanes(accumulator, _mm512_set1_epi32(channel.multiplier),
                         _mm512_set1_epi32(channel.left_shift),
                         _mm512_set1_epi32(channel.right_shift), zero_point, low, high);
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_VECTOR_REQUANTIZATION_H_

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

// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(a, m), r) is one rounding shift of the
// 64-bit product p = a * m (m >= 0, as QuantizeMultiplier makes it, so the saturating case
// cannot occur). The high-mul is floor((p + 2^30) / 2^31) (the scalar's truncating division of
// p + nudge, for either sign of p); for r >= 1 the division rounds half away from zero, which
// is floor((x + 2^(r-1) - [x < 0]) / 2^r); x < 0 exactly when p < -2^30; and nested floors of
// integer shifts compose, so
//   result = (p + rounding - [p < -2^30] * negative_bias) >> (31 + r)   (arithmetic)
// with rounding = 2^30 + 2^(30+r) and negative_bias = 2^31 for r >= 1, 2^30 and 0 for r = 0.
// |p| <= 2^62 and rounding <= 2^30 + 2^61, so nothing overflows int64, and the result is an
// int32. The three constants of the 8 lanes of one vector of 64-bit products:
struct ProductRounding {
  __m512i rounding;
  __m512i negative_bias;
  __m512i shift;  // 31 + r
};

// The constants for right shifts r (0 to 31) given in the low dword of each 64-bit lane.
inline ProductRounding ProductRoundingLanes(__m512i right_shift) {
  const __mmask8 divides = _mm512_test_epi64_mask(right_shift, right_shift);
  const __m512i half = _mm512_set1_epi64(int64_t{1} << 30);
  return {_mm512_mask_add_epi64(half, divides, half, _mm512_sllv_epi64(half, right_shift)),
          _mm512_maskz_mov_epi64(divides, _mm512_set1_epi64(int64_t{1} << 31)),
          _mm512_add_epi64(right_shift, _mm512_set1_epi64(31))};
}

// The constants of one right shift r in every lane.
inline ProductRounding ProductRoundingOf(int32_t right_shift) {
  const int64_t half = int64_t{1} << 30;
  return {_mm512_set1_epi64(half + (right_shift > 0 ? half << right_shift : 0)),
          _mm512_set1_epi64(right_shift > 0 ? int64_t{1} << 31 : 0),
          _mm512_set1_epi64(31 + right_shift)};
}

// The rounding shift of 8 products p (see ProductRounding).
inline __m512i RoundProducts(__m512i product, const ProductRounding& r) {
  const __mmask8 negative =
      _mm512_cmplt_epi64_mask(product, _mm512_set1_epi64(-(int64_t{1} << 30)));
  const __m512i biased = _mm512_add_epi64(product, r.rounding);
  return _mm512_srav_epi64(_mm512_mask_sub_epi64(biased, negative, biased, r.negative_bias),
                           r.shift);
}

// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(a[i], multiplier[i]), r[i]) per lane
// (multipliers >= 0). The low dword of each 64-bit lane of `even_multiplier` and
// `odd_multiplier` holds the multiplier of the even and odd lane, and `even` and `odd` hold
// their rounding constants.
inline __m512i MultiplyRoundingShift(__m512i a, __m512i even_multiplier, __m512i odd_multiplier,
                                     const ProductRounding& even, const ProductRounding& odd) {
  const __m512i even_result = RoundProducts(_mm512_mul_epi32(a, even_multiplier), even);
  const __m512i odd_result =
      RoundProducts(_mm512_mul_epi32(_mm512_srli_epi64(a, 32), odd_multiplier), odd);
  // Each result is an int32 in the low dword of its lane: interleave them.
  const __m512i interleave = _mm512_set_epi32(30, 14, 28, 12, 26, 10, 24, 8, 22, 6, 20, 4, 18, 2,
                                              16, 0);
  return _mm512_permutex2var_epi32(even_result, interleave, odd_result);
}

// MultiplyByQuantizedMultiplier(x[i], multiplier[i], shift[i]) per lane, the shift given as
// left_shift = max(shift, 0), right_shift = max(-shift, 0). The left shift wraps like the
// scalar's (on uint32).
inline __m512i MultiplyByQuantizedMultiplierLanes(__m512i x, __m512i multiplier, __m512i left_shift,
                                                  __m512i right_shift) {
  const __m512i low_dwords = _mm512_set1_epi64(0xFFFFFFFF);
  return MultiplyRoundingShift(_mm512_sllv_epi32(x, left_shift), multiplier,
                               _mm512_srli_epi64(multiplier, 32),
                               ProductRoundingLanes(_mm512_and_si512(right_shift, low_dwords)),
                               ProductRoundingLanes(_mm512_srli_epi64(right_shift, 32)));
}

// MultiplyByQuantizedMultiplierLanes with one channel's parameters in every lane.
inline __m512i MultiplyByQuantizedMultiplierVector(__m512i x,
                                                   const ChannelRequantization& channel) {
  const ProductRounding rounding = ProductRoundingOf(channel.right_shift);
  const __m512i multiplier = _mm512_set1_epi32(channel.multiplier);
  return MultiplyRoundingShift(_mm512_sll_epi32(x, _mm_cvtsi32_si128(channel.left_shift)),
                               multiplier, multiplier, rounding, rounding);
}

// clamp(scaled[i] + zero_point, low, high) per lane (the addition wraps like int32).
inline __m512i OffsetAndClamp(__m512i scaled, __m512i zero_point, __m512i low, __m512i high) {
  return _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(scaled, zero_point), low), high);
}

// clamp(MultiplyByQuantizedMultiplier(accumulator[i], multiplier[i], shift[i]) + zero_point,
// low, high) per lane, the shift given as left_shift = max(shift, 0), right_shift = max(-shift, 0).
inline __m512i RequantizeLanes(__m512i accumulator, __m512i multiplier, __m512i left_shift,
                               __m512i right_shift, __m512i zero_point, __m512i low, __m512i high) {
  return OffsetAndClamp(
      MultiplyByQuantizedMultiplierLanes(accumulator, multiplier, left_shift, right_shift),
      zero_point, low, high);
}

// RequantizeLanes with one channel's parameters in every lane.
inline __m512i RequantizeVector(__m512i accumulator, const ChannelRequantization& channel,
                                __m512i zero_point, __m512i low, __m512i high) {
  return OffsetAndClamp(MultiplyByQuantizedMultiplierVector(accumulator, channel), zero_point,
                        low, high);
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_VECTOR_REQUANTIZATION_H_

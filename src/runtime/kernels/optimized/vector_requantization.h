// The requantization of quantized_math.h / linear_requantization.h on the kIntLanes int32 lanes
// of an IntVector (16 with AVX-512, 8 with AVX2; simd.h),
// for the optimized int8 kernels whose lanes share one output channel:
//   y = clamp(MultiplyByQuantizedMultiplier(acc, multiplier, shift) + zero_point, min, max)
// Every lane's result is the scalar functions' to the bit, for every int32 input and every
// multiplier and shift that QuantizeMultiplier produces (multiplier >= 0, shift in [-31, 30]).
// Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_VECTOR_REQUANTIZATION_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_VECTOR_REQUANTIZATION_H_

#include <cstdint>

#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

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
// int32. The three constants of the kIntLanes / 2 lanes of one vector of 64-bit products:
struct ProductRounding {
  IntVector rounding;
  IntVector negative_bias;
  IntVector shift;  // 31 + r
};

// The constants of one right shift r in every lane.
inline ProductRounding ProductRoundingOf(int32_t right_shift) {
  const int64_t half = int64_t{1} << 30;
  return {BroadcastInt64(half + (right_shift > 0 ? half << right_shift : 0)),
          BroadcastInt64(right_shift > 0 ? int64_t{1} << 31 : 0), BroadcastInt64(31 + right_shift)};
}

#ifdef TINYMLOPS_OPTIMIZED_AVX512
// The constants for right shifts r (0 to 31) given in the low dword of each 64-bit lane.
inline ProductRounding ProductRoundingLanes(__m512i right_shift) {
  const __mmask8 divides = _mm512_test_epi64_mask(right_shift, right_shift);
  const __m512i half = _mm512_set1_epi64(int64_t{1} << 30);
  return {_mm512_mask_add_epi64(half, divides, half, _mm512_sllv_epi64(half, right_shift)),
          _mm512_maskz_mov_epi64(divides, _mm512_set1_epi64(int64_t{1} << 31)),
          _mm512_add_epi64(right_shift, _mm512_set1_epi64(31))};
}

// The rounding shift of the 64-bit products p (see ProductRounding); without
// kRoundNegatives, the [p < -2^30] term is left out (see RequantizeVector).
template <bool kRoundNegatives = true>
inline __m512i RoundProducts(__m512i product, const ProductRounding& r) {
  const __m512i biased = _mm512_add_epi64(product, r.rounding);
  if constexpr (!kRoundNegatives) return _mm512_srav_epi64(biased, r.shift);
  const __mmask8 negative =
      _mm512_cmplt_epi64_mask(product, _mm512_set1_epi64(-(int64_t{1} << 30)));
  return _mm512_srav_epi64(_mm512_mask_sub_epi64(biased, negative, biased, r.negative_bias),
                           r.shift);
}

// The int32 lanes whose low dwords of 64-bit lanes are `even` (even lanes) and `odd`.
inline __m512i InterleaveLowDwords(__m512i even, __m512i odd) {
  const __m512i interleave =
      _mm512_set_epi32(30, 14, 28, 12, 26, 10, 24, 8, 22, 6, 20, 4, 18, 2, 16, 0);
  return _mm512_permutex2var_epi32(even, interleave, odd);
}
#else
inline ProductRounding ProductRoundingLanes(__m256i right_shift) {
  const __m256i divides = _mm256_cmpgt_epi64(right_shift, _mm256_setzero_si256());
  const __m256i half = _mm256_set1_epi64x(int64_t{1} << 30);
  return {_mm256_add_epi64(half, _mm256_and_si256(divides, _mm256_sllv_epi64(half, right_shift))),
          _mm256_and_si256(divides, _mm256_set1_epi64x(int64_t{1} << 31)),
          _mm256_add_epi64(right_shift, _mm256_set1_epi64x(31))};
}

// AVX2 shifts 64-bit lanes logically only: an arithmetic shift of x is the logical shift of
// x, or of ~x when x < 0 (then complemented back), since floor(x / 2^s) = ~floor(~x / 2^s).
template <bool kRoundNegatives = true>
inline __m256i RoundProducts(__m256i product, const ProductRounding& r) {
  __m256i biased = _mm256_add_epi64(product, r.rounding);
  if constexpr (kRoundNegatives) {
    const __m256i negative =
        _mm256_cmpgt_epi64(_mm256_set1_epi64x(-(int64_t{1} << 30)), product);
    biased = _mm256_sub_epi64(biased, _mm256_and_si256(negative, r.negative_bias));
  }
  const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), biased);
  return _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(biased, sign), r.shift), sign);
}

inline __m256i InterleaveLowDwords(__m256i even, __m256i odd) {
  return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}
#endif

// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(a[i], multiplier[i]), r[i]) per lane
// (multipliers >= 0). The low dword of each 64-bit lane of `even_multiplier` and
// `odd_multiplier` holds the multiplier of the even and odd lane, and `even` and `odd` hold
// their rounding constants.
template <bool kRoundNegatives = true>
inline IntVector MultiplyRoundingShift(IntVector a, IntVector even_multiplier,
                                       IntVector odd_multiplier, const ProductRounding& even,
                                       const ProductRounding& odd) {
  return InterleaveLowDwords(
      RoundProducts<kRoundNegatives>(MultiplyEvenInt32(a, even_multiplier), even),
      RoundProducts<kRoundNegatives>(MultiplyEvenInt32(HighDwords(a), odd_multiplier), odd));
}

// MultiplyByQuantizedMultiplier(x[i], multiplier[i], shift[i]) per lane, the shift given as
// left_shift = max(shift, 0), right_shift = max(-shift, 0). The left shift wraps like the
// scalar's (on uint32).
inline IntVector MultiplyByQuantizedMultiplierLanes(IntVector x, IntVector multiplier,
                                                    IntVector left_shift, IntVector right_shift) {
  const IntVector low_dwords = BroadcastInt64(0xFFFFFFFF);
  return MultiplyRoundingShift(ShiftLeftInt32Lanes(x, left_shift), multiplier,
                               HighDwords(multiplier),
                               ProductRoundingLanes(AndInts(right_shift, low_dwords)),
                               ProductRoundingLanes(HighDwords(right_shift)));
}

// MultiplyByQuantizedMultiplierLanes with one channel's parameters in every lane (without
// kRoundNegatives, see RequantizeVector).
template <bool kRoundNegatives = true>
inline IntVector MultiplyByQuantizedMultiplierVector(IntVector x,
                                                     const ChannelRequantization& channel) {
  const ProductRounding rounding = ProductRoundingOf(channel.right_shift);
  const IntVector multiplier = BroadcastInt32(channel.multiplier);
  return MultiplyRoundingShift<kRoundNegatives>(ShiftLeftInt32(x, channel.left_shift), multiplier,
                                                multiplier, rounding, rounding);
}

// clamp(scaled[i] + zero_point, low, high) per lane (the addition wraps like int32).
inline IntVector OffsetAndClamp(IntVector scaled, IntVector zero_point, IntVector low,
                                IntVector high) {
  return MinInt32(MaxInt32(AddInt32(scaled, zero_point), low), high);
}

// clamp(MultiplyByQuantizedMultiplier(accumulator[i], multiplier[i], shift[i]) + zero_point,
// low, high) per lane, the shift given as left_shift = max(shift, 0), right_shift = max(-shift, 0).
inline IntVector RequantizeLanes(IntVector accumulator, IntVector multiplier, IntVector left_shift,
                                 IntVector right_shift, IntVector zero_point, IntVector low,
                                 IntVector high) {
  return OffsetAndClamp(
      MultiplyByQuantizedMultiplierLanes(accumulator, multiplier, left_shift, right_shift),
      zero_point, low, high);
}

// RequantizeLanes with one channel's parameters in every lane.
// kRoundNegatives false is for callers whose low >= zero_point (a ReLU's clamp, or an int8
// output whose zero point is -128): it leaves out the correction that rounds negative products
// half away from zero, and is still exact. The correction changes a result only when the
// product p < -2^30 and the right shift r >= 1, and then both results are <= 0; with r >= 1,
// |result| <= 2^30, so adding the zero point cannot wrap, and both end at `low`.
template <bool kRoundNegatives = true>
inline IntVector RequantizeVector(IntVector accumulator, const ChannelRequantization& channel,
                                  IntVector zero_point, IntVector low, IntVector high) {
  return OffsetAndClamp(MultiplyByQuantizedMultiplierVector<kRoundNegatives>(accumulator, channel),
                        zero_point, low, high);
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_VECTOR_REQUANTIZATION_H_

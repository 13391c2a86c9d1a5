// gemmlowp's fixed-point number type and the transcendental functions TensorFlow Lite's integer
// kernels build on (exp of negative values, logistic, tanh, 1/(1+x)), transcribed from
// gemmlowp/fixedpoint/fixedpoint.h for int32 raw values only. FixedPoint<kIntegerBits> holds
// real = raw * 2^(kIntegerBits - 31). Every function is integer-only and bit-identical to
// gemmlowp's, so the int8 Softmax, Sigmoid and Tanh kernels give TFLite's results on every
// machine. Additions wrap (as gemmlowp's, whose inputs are in range by construction) instead of
// overflowing a signed int. Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_FIXED_POINT_H_
#define TINYMLOPS_RUNTIME_KERNELS_FIXED_POINT_H_

#include <cstdint>
#include <limits>

#include "runtime/kernels/quantized_math.h"

namespace tinymlops::runtime::fixed_point {

template <int kIntegerBits>
struct FixedPoint {
  static_assert(kIntegerBits >= 0 && kIntegerBits <= 31, "int32 fixed point");
  static constexpr int kFractionalBits = 31 - kIntegerBits;

  int32_t raw = 0;

  static FixedPoint FromRaw(int32_t raw_value) { return FixedPoint{raw_value}; }
  static FixedPoint Zero() { return FixedPoint{0}; }
  // 1.0, or the largest value below it when there are no integer bits.
  static FixedPoint One() {
    if constexpr (kIntegerBits == 0) {
      return FixedPoint{std::numeric_limits<int32_t>::max()};
    } else {
      return FixedPoint{int32_t{1} << kFractionalBits};
    }
  }
  // 2^kExponent, which must be representable.
  template <int kExponent>
  static FixedPoint ConstantPot() {
    static_assert(kFractionalBits + kExponent >= 0 && kFractionalBits + kExponent < 31, "range");
    return FixedPoint{int32_t{1} << (kFractionalBits + kExponent)};
  }
};

inline int32_t WrappingAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t WrappingSub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

template <int kBits>
FixedPoint<kBits> operator+(FixedPoint<kBits> a, FixedPoint<kBits> b) {
  return FixedPoint<kBits>::FromRaw(WrappingAdd(a.raw, b.raw));
}
template <int kBits>
FixedPoint<kBits> operator-(FixedPoint<kBits> a, FixedPoint<kBits> b) {
  return FixedPoint<kBits>::FromRaw(WrappingSub(a.raw, b.raw));
}
template <int kBits>
FixedPoint<kBits> operator-(FixedPoint<kBits> a) {
  return FixedPoint<kBits>::FromRaw(WrappingSub(0, a.raw));
}
template <int kBitsA, int kBitsB>
FixedPoint<kBitsA + kBitsB> operator*(FixedPoint<kBitsA> a, FixedPoint<kBitsB> b) {
  return FixedPoint<kBitsA + kBitsB>::FromRaw(SaturatingRoundingDoublingHighMul(a.raw, b.raw));
}

// x * 2^kExponent, rounded (kExponent < 0) or saturated (kExponent > 0).
template <int kExponent>
int32_t SaturatingRoundingMultiplyByPot(int32_t x) {
  if constexpr (kExponent > 0) {
    constexpr int32_t kThreshold = (int32_t{1} << (31 - kExponent)) - 1;
    if (x > kThreshold) return std::numeric_limits<int32_t>::max();
    if (x < -kThreshold) return std::numeric_limits<int32_t>::min();
    return static_cast<int32_t>(static_cast<uint32_t>(x) << kExponent);
  } else if constexpr (kExponent < 0) {
    return RoundingDivideByPOT(x, -kExponent);
  } else {
    return x;
  }
}

// The same real value with kDstBits integer bits.
template <int kDstBits, int kSrcBits>
FixedPoint<kDstBits> Rescale(FixedPoint<kSrcBits> x) {
  return FixedPoint<kDstBits>::FromRaw(SaturatingRoundingMultiplyByPot<kSrcBits - kDstBits>(x.raw));
}

// Multiplies by 2^kExponent by reinterpreting the raw value with more or fewer integer bits.
template <int kExponent, int kBits>
FixedPoint<kBits + kExponent> ExactMulByPot(FixedPoint<kBits> x) {
  return FixedPoint<kBits + kExponent>::FromRaw(x.raw);
}

// (a + b) / 2 rounded half away from zero, without overflow.
inline int32_t RoundingHalfSum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + static_cast<int64_t>(b);
  const int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<int32_t>((sum + sign) / 2);
}

// exp(a) for a in [-1/4, 0): Taylor expansion around -1/8.
inline FixedPoint<0> ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(FixedPoint<0> a) {
  using F = FixedPoint<0>;
  const F constant_term = F::FromRaw(1895147668);  // exp(-1/8)
  const F constant_1_over_3 = F::FromRaw(715827883);
  const F x = a + F::ConstantPot<-3>();
  const F x2 = x * x;
  const F x3 = x2 * x;
  const F x4 = x2 * x2;
  const F x4_over_4 = F::FromRaw(SaturatingRoundingMultiplyByPot<-2>(x4.raw));
  const F x4_over_24_plus_x3_over_6_plus_x2_over_2 = F::FromRaw(
      SaturatingRoundingMultiplyByPot<-1>((((x4_over_4 + x3) * constant_1_over_3) + x2).raw));
  return constant_term + constant_term * (x + x4_over_24_plus_x3_over_6_plus_x2_over_2);
}

// exp(a) for a <= 0.
template <int kIntegerBits>
FixedPoint<0> ExpOnNegativeValues(FixedPoint<kIntegerBits> a) {
  using InputF = FixedPoint<kIntegerBits>;
  using ResultF = FixedPoint<0>;
  constexpr int kFractionalBits = InputF::kFractionalBits;
  const InputF one_quarter = InputF::template ConstantPot<-2>();
  const InputF mask = one_quarter - InputF::FromRaw(1);
  const InputF a_mod_quarter_minus_one_quarter = InputF::FromRaw(a.raw & mask.raw) - one_quarter;
  ResultF result =
      ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(Rescale<0>(a_mod_quarter_minus_one_quarter));
  const int32_t remainder = (a_mod_quarter_minus_one_quarter - a).raw;

  // Multiplies by exp(-2^exponent) for each bit of the remainder (a barrel shifter).
  auto apply = [&](int exponent, int32_t multiplier) {
    if (kIntegerBits > exponent) {
      const int shift = kFractionalBits + exponent;
      if (remainder & (int32_t{1} << shift)) result = result * ResultF::FromRaw(multiplier);
    }
  };
  apply(-2, 1672461947);
  apply(-1, 1302514674);
  apply(+0, 790015084);
  apply(+1, 290630308);
  apply(+2, 39332535);
  apply(+3, 720401);
  apply(+4, 242);

  if constexpr (kIntegerBits > 5) {
    const InputF clamp = InputF::FromRaw(-(int32_t{1} << (36 - kIntegerBits)));  // -32
    if (a.raw < clamp.raw) result = ResultF::Zero();
  }
  if (a.raw == 0) result = ResultF::One();
  return result;
}

// Newton-Raphson reciprocal of half_denominator in [1/2, 1), as FixedPoint<2>.
inline FixedPoint<2> ReciprocalOfHalfDenominator(FixedPoint<0> half_denominator) {
  using F2 = FixedPoint<2>;
  const F2 constant_48_over_17 = F2::FromRaw(1515870810);
  const F2 constant_neg_32_over_17 = F2::FromRaw(-1010580540);
  F2 x = constant_48_over_17 + half_denominator * constant_neg_32_over_17;
  for (int i = 0; i < 3; ++i) {
    const F2 half_denominator_times_x = half_denominator * x;
    const F2 one_minus_half_denominator_times_x = F2::One() - half_denominator_times_x;
    x = x + Rescale<2>(x * one_minus_half_denominator_times_x);
  }
  return x;
}

// 1 / (1 + a) for a in [0, 1).
inline FixedPoint<0> OneOverOnePlusXForXIn01(FixedPoint<0> a) {
  using F0 = FixedPoint<0>;
  const F0 half_denominator = F0::FromRaw(RoundingHalfSum(a.raw, F0::One().raw));
  return Rescale<0>(ExactMulByPot<-1>(ReciprocalOfHalfDenominator(half_denominator)));
}

// (1 - a) / (1 + a) for a in [0, 1).
inline FixedPoint<0> OneMinusXOverOnePlusXForXIn01(FixedPoint<0> a) {
  using F0 = FixedPoint<0>;
  const F0 half_denominator = F0::FromRaw(RoundingHalfSum(a.raw, F0::One().raw));
  return Rescale<0>(ReciprocalOfHalfDenominator(half_denominator) - FixedPoint<2>::One());
}

// 1 / (1 + exp(-a)).
template <int kIntegerBits>
FixedPoint<0> Logistic(FixedPoint<kIntegerBits> a) {
  using ResultF = FixedPoint<0>;
  if (a.raw == 0) return ResultF::FromRaw(int32_t{1} << 30);  // 0.5
  const FixedPoint<kIntegerBits> abs_input = a.raw > 0 ? a : -a;
  const ResultF result_if_positive = OneOverOnePlusXForXIn01(ExpOnNegativeValues(-abs_input));
  return a.raw > 0 ? result_if_positive : ResultF::One() - result_if_positive;
}

// tanh(a).
template <int kIntegerBits>
FixedPoint<0> Tanh(FixedPoint<kIntegerBits> a) {
  using ResultF = FixedPoint<0>;
  if (a.raw == 0) return ResultF::Zero();
  const bool negative = a.raw < 0;
  const FixedPoint<kIntegerBits> negative_abs = negative ? a : -a;
  // tanh(|a|) = (1 - exp(-2|a|)) / (1 + exp(-2|a|)); doubling only adds an integer bit.
  const ResultF result =
      OneMinusXOverOnePlusXForXIn01(ExpOnNegativeValues(ExactMulByPot<1>(negative_abs)));
  return negative ? -result : result;
}

// TensorFlow Lite's GetReciprocal: 1 / x for x > 0 in FixedPoint<x_integer_bits>, returned as
// a FixedPoint<0> raw value to be scaled by 2^-num_bits_over_unit. (x = 0 gives a meaningless
// but defined result.)
inline int32_t GetReciprocal(int32_t x, int x_integer_bits, int* num_bits_over_unit) {
  int headroom_plus_one = 0;  // leading zeros of x
  for (uint32_t v = static_cast<uint32_t>(x); (v & 0x80000000u) == 0 && headroom_plus_one < 31;
       v <<= 1)
    ++headroom_plus_one;
  *num_bits_over_unit = x_integer_bits - headroom_plus_one;
  const int32_t shifted_sum_minus_one = static_cast<int32_t>(
      (static_cast<uint32_t>(x) << headroom_plus_one) - (static_cast<uint32_t>(1) << 31));
  return OneOverOnePlusXForXIn01(FixedPoint<0>::FromRaw(shifted_sum_minus_one)).raw;
}

}  // namespace tinymlops::runtime::fixed_point

#endif  // TINYMLOPS_RUNTIME_KERNELS_FIXED_POINT_H_

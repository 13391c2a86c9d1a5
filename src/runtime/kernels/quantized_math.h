// Fixed-point arithmetic for int8 inference, identical to TensorFlow Lite's (and gemmlowp's):
// a real multiplier M in (0, 1) (or any positive M) is stored as an int32 `multiplier` in
// [2^30, 2^31) and a `shift` with M = multiplier * 2^(shift - 31). Applying it to an int32
// accumulator uses a saturating rounding doubling high multiply followed by a rounding
// arithmetic right shift (round half away from zero). These are integer-only, so every kernel
// set on every machine gives bit-identical results: the determinism contract of
// docs/determinism.md rests on this file.
//
// QuantizeMultiplier is the only place that touches floating point, and it runs at prepare
// time on values computed with basic IEEE operations only (no transcendental functions).
// Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_QUANTIZED_MATH_H_
#define TINYMLOPS_RUNTIME_KERNELS_QUANTIZED_MATH_H_

#include <cstdint>
#include <limits>

namespace tinymlops::runtime {

// Splits `real_multiplier` (>= 0) into an int32 mantissa in [2^30, 2^31) and a power-of-two
// shift, as TensorFlow Lite's QuantizeMultiplier. A zero multiplier gives {0, 0}.
void QuantizeMultiplier(double real_multiplier, int32_t* quantized_multiplier, int* shift);

// gemmlowp SaturatingRoundingDoublingHighMul: (a * b * 2 + 2^31) >> 32 with the single
// overflow case (INT32_MIN * INT32_MIN) saturated to INT32_MAX.
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  const bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
  const int64_t ab_64 = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int32_t nudge = ab_64 >= 0 ? (1 << 30) : (1 - (1 << 30));
  const int32_t ab_x2_high32 = static_cast<int32_t>((ab_64 + nudge) / (int64_t{1} << 31));
  return overflow ? std::numeric_limits<int32_t>::max() : ab_x2_high32;
}

// gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero.
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + ((x < 0) ? 1 : 0);
  return (x >> exponent) + ((remainder > threshold) ? 1 : 0);
}

// TensorFlow Lite's MultiplyByQuantizedMultiplier: round(x * multiplier * 2^(shift - 31)).
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  // Left shift of a negative value is done on uint32 to stay defined; TFLite relies on the
  // same two's-complement result.
  const int32_t shifted =
      static_cast<int32_t>(static_cast<uint32_t>(x) * (uint32_t{1} << left_shift));
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(shifted, quantized_multiplier),
                             right_shift);
}

// Clamps `value` to [low, high].
inline int32_t ClampInt32(int32_t value, int32_t low, int32_t high) {
  return value < low ? low : (value > high ? high : value);
}

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_QUANTIZED_MATH_H_

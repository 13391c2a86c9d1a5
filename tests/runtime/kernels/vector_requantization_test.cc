// The vector requantization of the optimized int8 kernels (vector_requantization.h) against
// the scalar TFLite arithmetic (quantized_math.h), lane by lane: every shift QuantizeMultiplier
// can make, multipliers across their range, and accumulators that include the int32 extremes,
// exact ties of the final rounding and random values, on the build's vectors (AVX-512 or AVX2).
// Skipped on a build with neither.
#include "runtime/kernels/optimized/vector_requantization.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "runtime/kernels/quantized_math.h"

namespace tinymlops::runtime {
namespace {

TEST(VectorRequantizationTest, LanesMatchTheScalarArithmetic) {
#ifndef TINYMLOPS_OPTIMIZED_FLOAT
  GTEST_SKIP() << "this build has no vector kernels";
#else
  using optimized::kIntLanes;
  using optimized::LoadInts;
  std::mt19937 rng(53);
  std::uniform_int_distribution<int32_t> any_int32(std::numeric_limits<int32_t>::min(),
                                                   std::numeric_limits<int32_t>::max());
  std::uniform_real_distribution<double> mantissa(0.5, 1.0);
  const int32_t low = -100, high = 120, zero_point = 7;
  for (int shift = -31; shift <= 30; ++shift)
    for (int trial = 0; trial < 40; ++trial) {
      int32_t multiplier = 0;
      int quantized_shift = 0;
      QuantizeMultiplier(std::ldexp(mantissa(rng), shift), &multiplier, &quantized_shift);
      if (trial == 0) multiplier = std::numeric_limits<int32_t>::max();
      std::vector<int32_t> inputs = {std::numeric_limits<int32_t>::min(),
                                     std::numeric_limits<int32_t>::max(), 0, 1, -1};
      if (trial == 1) {
        // A multiplier of 2^30 halves x exactly: x around multiples of 2^(r-1) lands on the
        // ties of both roundings (the high-mul's and the right shift r's), of either sign.
        multiplier = 1 << 30;
        const int right_shift = std::max(-quantized_shift, 0);
        for (int64_t k = -9; k <= 9; ++k)
          for (int64_t d = -1; d <= 1; ++d) {
            const int64_t x = k * (int64_t{1} << std::max(right_shift - 1, 0)) + d;
            if (x >= std::numeric_limits<int32_t>::min() && x <= std::numeric_limits<int32_t>::max())
              inputs.push_back(static_cast<int32_t>(x));
          }
      }
      // Accumulators whose product lands on a tie of the final rounding, and random ones.
      for (int i = 0; i < 11; ++i) inputs.push_back(any_int32(rng) >> (i % 31));
      int32_t lanes[kIntLanes];
      for (size_t base = 0; base < inputs.size(); base += kIntLanes) {
        for (int i = 0; i < kIntLanes; ++i)
          lanes[i] = base + i < inputs.size() ? inputs[base + i] : any_int32(rng);
        const auto channel =
            optimized::ChannelRequantization::FromShift(multiplier, quantized_shift);
        int32_t scaled[kIntLanes], requantized[kIntLanes];
        optimized::StoreInts(
            scaled, optimized::MultiplyByQuantizedMultiplierVector(LoadInts(lanes), channel));
        optimized::StoreInts(requantized,
                             optimized::RequantizeVector(
                                 LoadInts(lanes), channel, optimized::BroadcastInt32(zero_point),
                                 optimized::BroadcastInt32(low), optimized::BroadcastInt32(high)));
        // Without the rounding of negative products, for a clamp at or above the zero point
        // (a ReLU's, or an int8 output's with zero point -128), and with the zero point at
        // either end of the int8 range.
        int32_t relu[kIntLanes], relu_low_zero[kIntLanes];
        optimized::StoreInts(relu, optimized::RequantizeVector<false>(
                                       LoadInts(lanes), channel,
                                       optimized::BroadcastInt32(zero_point),
                                       optimized::BroadcastInt32(zero_point),
                                       optimized::BroadcastInt32(high)));
        optimized::StoreInts(relu_low_zero, optimized::RequantizeVector<false>(
                                                LoadInts(lanes), channel,
                                                optimized::BroadcastInt32(-128),
                                                optimized::BroadcastInt32(-128),
                                                optimized::BroadcastInt32(127)));
        for (int i = 0; i < kIntLanes; ++i) {
          const int32_t want = MultiplyByQuantizedMultiplier(lanes[i], multiplier, quantized_shift);
          ASSERT_EQ(scaled[i], want)
              << "x " << lanes[i] << " multiplier " << multiplier << " shift " << quantized_shift;
          const auto offset = [&](int32_t zero) {  // the lanes wrap like int32
            return static_cast<int32_t>(static_cast<uint32_t>(want) + static_cast<uint32_t>(zero));
          };
          ASSERT_EQ(requantized[i], ClampInt32(offset(zero_point), low, high));
          ASSERT_EQ(relu[i], ClampInt32(offset(zero_point), zero_point, high))
              << "x " << lanes[i] << " multiplier " << multiplier << " shift " << quantized_shift;
          ASSERT_EQ(relu_low_zero[i], ClampInt32(offset(-128), -128, 127))
              << "x " << lanes[i] << " multiplier " << multiplier << " shift " << quantized_shift;
        }
      }
    }
#endif
}

// The per-lane form (each lane its own multiplier and shift, as the int8 Gemm's output
// columns): every lane against the scalar arithmetic.
TEST(VectorRequantizationTest, PerLaneParametersMatchTheScalarArithmetic) {
#ifndef TINYMLOPS_OPTIMIZED_FLOAT
  GTEST_SKIP() << "this build has no vector kernels";
#else
  using optimized::kIntLanes;
  using optimized::LoadInts;
  std::mt19937 rng(59);
  std::uniform_int_distribution<int32_t> any_int32(std::numeric_limits<int32_t>::min(),
                                                   std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int> any_shift(-31, 30);
  std::uniform_real_distribution<double> mantissa(0.5, 1.0);
  for (int trial = 0; trial < 4000; ++trial) {
    int32_t x[kIntLanes], multiplier[kIntLanes], left_shift[kIntLanes], right_shift[kIntLanes],
        scaled[kIntLanes];
    int shift[kIntLanes];
    for (int i = 0; i < kIntLanes; ++i) {
      QuantizeMultiplier(std::ldexp(mantissa(rng), any_shift(rng)), &multiplier[i], &shift[i]);
      const auto channel = optimized::ChannelRequantization::FromShift(multiplier[i], shift[i]);
      left_shift[i] = channel.left_shift;
      right_shift[i] = channel.right_shift;
      x[i] = trial % 2 ? any_int32(rng) : any_int32(rng) >> (i % 31);
    }
    optimized::StoreInts(scaled, optimized::MultiplyByQuantizedMultiplierLanes(
                                     LoadInts(x), LoadInts(multiplier), LoadInts(left_shift),
                                     LoadInts(right_shift)));
    for (int i = 0; i < kIntLanes; ++i)
      ASSERT_EQ(scaled[i], MultiplyByQuantizedMultiplier(x[i], multiplier[i], shift[i]))
          << "lane " << i << " x " << x[i] << " multiplier " << multiplier[i] << " shift "
          << shift[i];
  }
#endif
}

}  // namespace
}  // namespace tinymlops::runtime

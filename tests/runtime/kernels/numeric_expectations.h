// Test support for the compute kernels' tests: deterministic test data and comparisons of a
// kernel's output with an independent double-precision expectation. Float outputs must be
// within a small tolerance; quantized outputs must equal the ideal value rounded half away
// from zero and clamped, exactly, except near a .5 tie, where TFLite's fixed-point arithmetic
// may legitimately round the other way (at most one step): it first rounds x * multiplier to
// `-shift` fractional bits, an error of up to 2^(shift - 1), about the real multiplier itself.
#ifndef TINYMLOPS_TESTS_RUNTIME_KERNELS_NUMERIC_EXPECTATIONS_H_
#define TINYMLOPS_TESTS_RUNTIME_KERNELS_NUMERIC_EXPECTATIONS_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "binary_op_test_support.h"

namespace tinymlops::kernel_test {

// `count` floats uniform in [low, high), the same for the same seed.
inline std::vector<float> RandomFloats(size_t count, uint32_t seed, float low = -1.0f,
                                       float high = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(low, high);
  std::vector<float> values(count);
  for (float& v : values) v = value(rng);
  return values;
}

// `count` integers uniform in [low, high], the same for the same seed.
template <typename T>
std::vector<T> RandomInts(size_t count, uint32_t seed, int32_t low, int32_t high) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> value(low, high);
  std::vector<T> values(count);
  for (T& v : values) v = static_cast<T>(value(rng));
  return values;
}

template <typename T>
std::vector<double> ToDoubles(const std::vector<T>& values) {
  return std::vector<double>(values.begin(), values.end());
}

// Each value minus `offset`, as doubles (quantized values minus their zero point).
template <typename T>
std::vector<double> Centered(const std::vector<T>& values, int32_t offset) {
  std::vector<double> centered;
  for (T v : values) centered.push_back(static_cast<double>(v) - offset);
  return centered;
}

inline void ExpectFloatsNear(const std::vector<float>& actual, const std::vector<double>& expected,
                             double tolerance = 1e-5) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], tolerance * std::max(1.0, std::fabs(expected[i])))
        << "at element " << i;
}

// The distance from a tie within which fixed-point rounding with the largest real multiplier
// `real_multiplier` (x_scale * w_scale / y_scale) may differ from ideal rounding.
inline double FixedPointTieMargin(double real_multiplier) { return 2.0 * real_multiplier + 1e-9; }

// Compares quantized `actual` with `ideal` (real result / scale + zero point, before rounding)
// clamped to [low, high]: exact, except within `tie_margin` of a tie (pass 0 when the
// multipliers are exact powers of two: then ties must match too).
template <typename T>
void ExpectQuantizedMatchesIdeal(const std::vector<T>& actual, const std::vector<double>& ideal,
                                 int32_t low, int32_t high, double tie_margin) {
  EXPECT_EQ(actual.size(), ideal.size());
  for (size_t i = 0; i < actual.size() && i < ideal.size(); ++i) {
    const double rounded = std::round(ideal[i]);  // halves away from zero
    const double expected = std::min<double>(high, std::max<double>(low, rounded));
    const double difference = std::fabs(static_cast<double>(actual[i]) - expected);
    if (NearTie(ideal[i], tie_margin)) {
      EXPECT_LE(difference, 1.0) << "at element " << i << " (ideal " << ideal[i] << ")";
    } else {
      EXPECT_EQ(difference, 0.0) << "at element " << i << " (ideal " << ideal[i] << ")";
    }
  }
}

}  // namespace tinymlops::kernel_test

#endif  // TINYMLOPS_TESTS_RUNTIME_KERNELS_NUMERIC_EXPECTATIONS_H_

// Checks a quantized unary op (Sigmoid, Tanh) over every input value of its dtype against the
// function computed in double precision.
#ifndef TINYMLOPS_TESTS_RUNTIME_KERNELS_QUANTIZED_UNARY_CHECK_H_
#define TINYMLOPS_TESTS_RUNTIME_KERNELS_QUANTIZED_UNARY_CHECK_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {

// Runs every input value of T through a quantized op and compares with
// round(fn(real) / out_scale) + out_zero_point, exactly unless within 0.01 of a tie.
template <typename T, typename Fn>
void ExpectQuantizedMatches(KernelSet kernels, tmm::OpType type, float in_scale, int32_t in_zero,
                            float out_scale, int32_t out_zero, Fn fn) {
  std::vector<T> x;
  for (int v = std::numeric_limits<T>::min(); v <= std::numeric_limits<T>::max(); ++v)
    x.push_back(static_cast<T>(v));
  SingleOpGraph op(type, {Quantized(Values("x", {256}, x), in_scale, in_zero)},
                   {Quantized(Spec("y", DTypeOf<T>(), {256}), out_scale, out_zero)});
  const std::vector<T> y = RunOk(op, kernels).template Values<T>();
  ASSERT_EQ(y.size(), 256u);
  for (size_t i = 0; i < x.size(); ++i) {
    const double ideal =
        fn(in_scale * (static_cast<double>(x[i]) - in_zero)) / out_scale + out_zero;
    const double expected =
        std::min<double>(std::numeric_limits<T>::max(),
                         std::max<double>(std::numeric_limits<T>::min(), std::round(ideal)));
    const double fraction = ideal - std::floor(ideal);
    if (std::fabs(fraction - 0.5) < 0.01)
      EXPECT_NEAR(y[i], expected, 1) << "q=" << int{x[i]};
    else
      EXPECT_EQ(y[i], expected) << "q=" << int{x[i]};
  }
}

}  // namespace tinymlops::kernel_test

#endif  // TINYMLOPS_TESTS_RUNTIME_KERNELS_QUANTIZED_UNARY_CHECK_H_

// Tanh: float against std::tanh; int8/uint8 integer tables against a double re-derivation.
#include <gtest/gtest.h>

#include <cmath>

#include "quantized_unary_check.h"
#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class TanhTest : public KernelSetTest {};

double Tanh(double x) { return std::tanh(x); }

TEST_P(TanhTest, Float) {
  const std::vector<float> x = {-50.0f, -1.0f, -0.1f, 0.0f, 0.3f, 2.0f, 50.0f};
  SingleOpGraph op(OpType::Tanh, {Values("x", {7}, x)}, {Spec("y", DType::kFloat32, {7})});
  const std::vector<float> y = RunOk(op, GetParam()).Values<float>();
  ASSERT_EQ(y.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], std::tanh(double{x[i]}), 1e-7);
}

TEST_P(TanhTest, Int8CanonicalOutput) {
  ExpectQuantizedMatches<int8_t>(GetParam(), OpType::Tanh, 0.05f, 3, 1.0f / 128, 0, Tanh);
}

TEST_P(TanhTest, Uint8CanonicalOutput) {
  ExpectQuantizedMatches<uint8_t>(GetParam(), OpType::Tanh, 0.02f, 128, 1.0f / 128, 128, Tanh);
}

TEST_P(TanhTest, Int8CoarseInputSaturates) {
  // Scale 0.25: inputs beyond TFLite's radius (|x| >= 15 / 16 * 16) clamp to -128 / 127.
  ExpectQuantizedMatches<int8_t>(GetParam(), OpType::Tanh, 0.25f, 0, 1.0f / 128, 0, Tanh);
}

TEST_P(TanhTest, UnquantizedInt8IsRejected) {
  SingleOpGraph op(OpType::Tanh, {Values<int8_t>("x", {1}, {1})}, {Spec("y", DType::kInt8, {1})});
  EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kUnsupported);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(TanhTest);

}  // namespace
}  // namespace tinymlops::kernel_test

// Sigmoid: float against std::exp; int8/uint8 integer tables against a double re-derivation
// (exact away from rounding ties), including TFLite's canonical output parameters.
#include <gtest/gtest.h>

#include <cmath>

#include "quantized_unary_check.h"
#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class SigmoidTest : public KernelSetTest {};

TEST_P(SigmoidTest, Float) {
  const std::vector<float> x = {-100.0f, -3.0f, -0.5f, 0.0f, 0.5f, 3.0f, 100.0f};
  SingleOpGraph op(OpType::Sigmoid, {Values("x", {7}, x)}, {Spec("y", DType::kFloat32, {7})});
  const std::vector<float> y = RunOk(op, GetParam()).Values<float>();
  ASSERT_EQ(y.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(y[i], 1.0 / (1.0 + std::exp(-double{x[i]})), 1e-7);
}

double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

TEST_P(SigmoidTest, Int8CanonicalOutput) {
  ExpectQuantizedMatches<int8_t>(GetParam(), OpType::Sigmoid, 1.0f / 16, 0, 1.0f / 256, -128,
                                 Logistic);
}

TEST_P(SigmoidTest, Int8ZeroMapsToOneHalf) {
  SingleOpGraph op(OpType::Sigmoid, {Quantized(Values<int8_t>("x", {1}, {7}), 0.1f, 7)},
                   {Quantized(Spec("y", DType::kInt8, {1}), 1.0f / 256, -128)});
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{0}));
}

TEST_P(SigmoidTest, Uint8OtherOutputParameters) {
  ExpectQuantizedMatches<uint8_t>(GetParam(), OpType::Sigmoid, 0.07f, 120, 1.0f / 255, 0, Logistic);
}

TEST_P(SigmoidTest, PerAxisQuantizationIsRejected) {
  SingleOpGraph op(OpType::Sigmoid,
                   {QuantizedPerAxis(Values<int8_t>("x", {2}, {1, 2}), {0.1f, 0.2f}, {0, 0}, 0)},
                   {Quantized(Spec("y", DType::kInt8, {2}), 1.0f / 256, -128)});
  EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kUnsupported);
}

TEST_P(SigmoidTest, Int32IsRejected) {
  SingleOpGraph op(OpType::Sigmoid, {Values<int32_t>("x", {1}, {1})},
                   {Spec("y", DType::kInt32, {1})});
  EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kUnsupported);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(SigmoidTest);

}  // namespace
}  // namespace tinymlops::kernel_test

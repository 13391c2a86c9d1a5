// Relu: float, quantized with shared and differing parameters, plain integers.
#include <gtest/gtest.h>

#include <cmath>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class ReluTest : public KernelSetTest {};

TEST_P(ReluTest, FloatZeroesNegatives) {
  SingleOpGraph op(OpType::Relu, {Values<float>("x", {2, 2}, {-1.5f, 0.0f, 2.5f, -0.0f})},
                   {Spec("y", DType::kFloat32, {2, 2})});
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{0, 0, 2.5f, 0}));
}

TEST_P(ReluTest, QuantizedSameParametersClampAtZeroPoint) {
  SingleOpGraph op(OpType::Relu,
                   {Quantized(Values<int8_t>("x", {4}, {-128, 9, 10, 127}), 0.1f, 10)},
                   {Quantized(Spec("y", DType::kInt8, {4}), 0.1f, 10)});
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{10, 10, 10, 127}));
}

TEST_P(ReluTest, QuantizedDifferentParametersRequantize) {
  // Input real = 0.1 * (q - 0); output grid 0.2 with zero point -128.
  const std::vector<uint8_t> in = {0, 3, 7, 100, 255};
  SingleOpGraph op(OpType::Relu, {Quantized(Values<uint8_t>("x", {5}, in), 0.1f, 50)},
                   {Quantized(Spec("y", DType::kUInt8, {5}), 0.2f, 0)});
  std::vector<uint8_t> expected;
  for (uint8_t q : in) {
    const double real = std::max(0.0, 0.1 * (q - 50.0));
    expected.push_back(static_cast<uint8_t>(std::round(real / 0.2)));
  }
  EXPECT_EQ(RunOk(op, GetParam()).Values<uint8_t>(), expected);
}

TEST_P(ReluTest, Int32) {
  SingleOpGraph op(OpType::Relu, {Values<int32_t>("x", {3}, {-5, 0, 7})},
                   {Spec("y", DType::kInt32, {3})});
  EXPECT_EQ(RunOk(op, GetParam()).Values<int32_t>(), (std::vector<int32_t>{0, 0, 7}));
}

TEST_P(ReluTest, ShapeMismatchIsRejected) {
  SingleOpGraph op(OpType::Relu, {Values<float>("x", {4}, {1, 2, 3, 4})},
                   {Spec("y", DType::kFloat32, {2, 2})});
  EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(ReluTest);

}  // namespace
}  // namespace tinymlops::kernel_test

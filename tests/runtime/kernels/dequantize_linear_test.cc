// DequantizeLinear: per-tensor int8/uint8/int32 and per-axis parameters.
#include <gtest/gtest.h>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class DequantizeLinearTest : public KernelSetTest {};

TEST_P(DequantizeLinearTest, PerTensorEveryInputDType) {
  SingleOpGraph int8(OpType::DequantizeLinear,
                     {Quantized(Values<int8_t>("x", {3}, {-128, 0, 127}), 0.5f, -1)},
                     {Spec("y", DType::kFloat32, {3})});
  EXPECT_EQ(RunOk(int8, GetParam()).Values<float>(), (std::vector<float>{-63.5f, 0.5f, 64.0f}));
  SingleOpGraph uint8(OpType::DequantizeLinear,
                      {Quantized(Values<uint8_t>("x", {2}, {0, 255}), 0.25f, 128)},
                      {Spec("y", DType::kFloat32, {2})});
  EXPECT_EQ(RunOk(uint8, GetParam()).Values<float>(), (std::vector<float>{-32.0f, 31.75f}));
  SingleOpGraph int32(OpType::DequantizeLinear,
                      {Quantized(Values<int32_t>("x", {2}, {-2147483647, 1000}), 0.001f, 0)},
                      {Spec("y", DType::kFloat32, {2})});
  const std::vector<float> y = RunOk(int32, GetParam()).Values<float>();
  ASSERT_EQ(y.size(), 2u);
  EXPECT_FLOAT_EQ(y[0], -2147483.647f);
  EXPECT_FLOAT_EQ(y[1], 1.0f);
}

TEST_P(DequantizeLinearTest, PerAxisOnFirstDim) {
  SingleOpGraph op(
      OpType::DequantizeLinear,
      {QuantizedPerAxis(Values<int8_t>("x", {2, 2}, {4, 8, 4, 8}), {0.5f, 2.0f}, {0, 4}, 0)},
      {Spec("y", DType::kFloat32, {2, 2})});
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{2, 4, 0, 8}));
}

TEST_P(DequantizeLinearTest, Errors) {
  SingleOpGraph unquantized(OpType::DequantizeLinear, {Values<int8_t>("x", {1}, {1})},
                            {Spec("y", DType::kFloat32, {1})});
  EXPECT_EQ(unquantized.Load(GetParam()).code(), StatusCode::kInvalidArgument);
  SingleOpGraph float_output(OpType::DequantizeLinear,
                             {Quantized(Values<int8_t>("x", {1}, {1}), 0.5f, 0)},
                             {Spec("y", DType::kInt32, {1})});
  EXPECT_EQ(float_output.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(DequantizeLinearTest);

}  // namespace
}  // namespace tinymlops::kernel_test

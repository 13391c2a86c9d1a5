// QuantizeLinear: ties round to even, saturation, per-tensor and per-axis parameters.
#include <gtest/gtest.h>

#include <limits>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class QuantizeLinearTest : public KernelSetTest {};

TEST_P(QuantizeLinearTest, TiesRoundToEven) {
  // x / 0.5 = 1, 3, 5, -1, -3 halves... : 0.25 -> 0.5 -> 0; 0.75 -> 1.5 -> 2; 1.25 -> 2.5 -> 2.
  SingleOpGraph op(OpType::QuantizeLinear,
                   {Values<float>("x", {6}, {0.25f, 0.75f, 1.25f, -0.25f, -0.75f, -1.25f})},
                   {Quantized(Spec("y", DType::kInt8, {6}), 0.5f, 0)});
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{0, 2, 2, 0, -2, -2}));
}

TEST_P(QuantizeLinearTest, ZeroPointAndSaturation) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  SingleOpGraph op(OpType::QuantizeLinear,
                   {Values<float>("x", {5}, {0.0f, 1.0f, 1000.0f, -1000.0f, nan})},
                   {Quantized(Spec("y", DType::kUInt8, {5}), 0.1f, 128)});
  EXPECT_EQ(RunOk(op, GetParam()).Values<uint8_t>(), (std::vector<uint8_t>{128, 138, 255, 0, 128}));
}

TEST_P(QuantizeLinearTest, PerAxis) {
  // [2, 3] with one scale per column (axis 1).
  SingleOpGraph op(
      OpType::QuantizeLinear, {Values<float>("x", {2, 3}, {1, 1, 1, -2, 2, 6})},
      {QuantizedPerAxis(Spec("y", DType::kInt8, {2, 3}), {0.5f, 0.25f, 2.0f}, {0, 10, -1}, 1)});
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{2, 14, -1, -4, 18, 2}));
}

TEST_P(QuantizeLinearTest, Errors) {
  SingleOpGraph unquantized(OpType::QuantizeLinear, {Values<float>("x", {1}, {1})},
                            {Spec("y", DType::kInt8, {1})});
  EXPECT_EQ(unquantized.Load(GetParam()).code(), StatusCode::kInvalidArgument);
  SingleOpGraph int_input(OpType::QuantizeLinear, {Values<int32_t>("x", {1}, {1})},
                          {Quantized(Spec("y", DType::kInt8, {1}), 0.5f, 0)});
  EXPECT_EQ(int_input.Load(GetParam()).code(), StatusCode::kInvalidArgument);
  SingleOpGraph bad_axis(OpType::QuantizeLinear,
                         {Values<float>("x", {2, 3}, std::vector<float>(6))},
                         {QuantizedPerAxis(Spec("y", DType::kInt8, {2, 3}), {1, 1}, {0, 0}, 1)});
  EXPECT_EQ(bad_axis.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(QuantizeLinearTest);

}  // namespace
}  // namespace tinymlops::kernel_test

// Concat: every axis (negative too), many inputs, constants, requantization of int8 inputs
// with differing parameters, rejected shapes.
#include <gtest/gtest.h>

#include <cmath>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class ConcatTest : public KernelSetTest {};

tmm::OpOptionsUnion Axis(int axis) {
  tmm::ConcatOptionsT options;
  options.axis = axis;
  tmm::OpOptionsUnion result;
  result.Set(std::move(options));
  return result;
}

TEST_P(ConcatTest, Axis0) {
  SingleOpGraph op(OpType::Concat,
                   {Values<float>("a", {1, 2}, {1, 2}), Values<float>("b", {2, 2}, {3, 4, 5, 6})},
                   {Spec("y", DType::kFloat32, {3, 2})}, Axis(0));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST_P(ConcatTest, MiddleAxisWithThreeInputsAndAConstant) {
  // [2, k, 2] blocks along axis 1.
  SingleOpGraph op(OpType::Concat,
                   {Values<int32_t>("a", {2, 1, 2}, {1, 2, 3, 4}),
                    Constant(Values<int32_t>("b", {2, 2, 2}, {10, 11, 12, 13, 14, 15, 16, 17})),
                    Values<int32_t>("c", {2, 1, 2}, {-1, -2, -3, -4})},
                   {Spec("y", DType::kInt32, {2, 4, 2})}, Axis(1));
  EXPECT_EQ(RunOk(op, GetParam()).Values<int32_t>(),
            (std::vector<int32_t>{1, 2, 10, 11, 12, 13, -1, -2, 3, 4, 14, 15, 16, 17, -3, -4}));
}

TEST_P(ConcatTest, NegativeLastAxis) {
  SingleOpGraph op(
      OpType::Concat,
      {Values<uint8_t>("a", {2, 1}, {1, 2}), Values<uint8_t>("b", {2, 2}, {3, 4, 5, 6})},
      {Spec("y", DType::kUInt8, {2, 3})}, Axis(-1));
  EXPECT_EQ(RunOk(op, GetParam()).Values<uint8_t>(), (std::vector<uint8_t>{1, 3, 4, 2, 5, 6}));
}

TEST_P(ConcatTest, QuantizedInputsAreRequantizedToTheOutput) {
  // a shares the output's parameters (copied); b (scale 0.03, zp 10) is requantized. No value
  // of b lands on a rounding tie.
  const std::vector<int8_t> a = {-128, 0, 127};
  const std::vector<int8_t> b = {-128, -7, 10, 11, 30, 127};
  SingleOpGraph op(
      OpType::Concat,
      {Quantized(Values("a", {3}, a), 0.1f, -2), Quantized(Values("b", {6}, b), 0.03f, 10)},
      {Quantized(Spec("y", DType::kInt8, {9}), 0.1f, -2)}, Axis(0));
  std::vector<int8_t> expected = a;
  for (int8_t q : b) {
    const double ideal = 0.03 * (q - 10) / 0.1 - 2;
    expected.push_back(static_cast<int8_t>(std::min(127.0, std::max(-128.0, std::round(ideal)))));
  }
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), expected);
}

TEST_P(ConcatTest, MismatchedShapesAreRejected) {
  SingleOpGraph wrong_dim(
      OpType::Concat, {Values<float>("a", {1, 2}, {1, 2}), Values<float>("b", {1, 3}, {3, 4, 5})},
      {Spec("y", DType::kFloat32, {2, 2})}, Axis(0));
  EXPECT_EQ(wrong_dim.Load(GetParam()).code(), StatusCode::kInvalidArgument);
  SingleOpGraph wrong_total(
      OpType::Concat, {Values<float>("a", {1, 2}, {1, 2}), Values<float>("b", {1, 2}, {3, 4})},
      {Spec("y", DType::kFloat32, {3, 2})}, Axis(0));
  EXPECT_EQ(wrong_total.Load(GetParam()).code(), StatusCode::kInvalidArgument);
  SingleOpGraph wrong_dtype(OpType::Concat,
                            {Values<float>("a", {1}, {1}), Values<int32_t>("b", {1}, {3})},
                            {Spec("y", DType::kFloat32, {2})}, Axis(0));
  EXPECT_EQ(wrong_dtype.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(ConcatTest);

}  // namespace
}  // namespace tinymlops::kernel_test

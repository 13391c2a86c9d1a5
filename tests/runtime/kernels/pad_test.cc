// Pad: constant/reflect/edge against hand-worked and NumPy-style expectations, quantized
// constant value, int64 words, rejected pads.
#include <gtest/gtest.h>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;
using tmm::PadMode;

class PadTest : public KernelSetTest {};

tmm::OpOptionsUnion Pads(std::vector<int32_t> pads, PadMode mode, float value = 0.0f) {
  tmm::PadOptionsT options;
  options.pads = std::move(pads);
  options.mode = mode;
  options.value = value;
  tmm::OpOptionsUnion result;
  result.Set(std::move(options));
  return result;
}

const std::vector<float> kMatrix = {1, 2, 3, 4, 5, 6};  // [2, 3]

TEST_P(PadTest, ConstantBothSides) {
  SingleOpGraph op(OpType::Pad, {Values("x", {2, 3}, kMatrix)},
                   {Spec("y", DType::kFloat32, {3, 5})},
                   Pads({1, 0, 0, 2}, PadMode::Constant, 9.5f));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(),
            (std::vector<float>{9.5f, 9.5f, 9.5f, 9.5f, 9.5f,  //
                                1, 2, 3, 9.5f, 9.5f,           //
                                4, 5, 6, 9.5f, 9.5f}));
}

TEST_P(PadTest, ReflectMatchesNumpy) {
  // numpy.pad([[1,2,3],[4,5,6]], ((1,1),(2,1)), mode='reflect')
  SingleOpGraph op(OpType::Pad, {Values("x", {2, 3}, kMatrix)},
                   {Spec("y", DType::kFloat32, {4, 6})}, Pads({1, 2, 1, 1}, PadMode::Reflect));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{6, 5, 4, 5, 6, 5,  //
                                                                       3, 2, 1, 2, 3, 2,  //
                                                                       6, 5, 4, 5, 6, 5,  //
                                                                       3, 2, 1, 2, 3, 2}));
}

TEST_P(PadTest, EdgeMatchesNumpy) {
  // numpy.pad([[1,2,3],[4,5,6]], ((0,2),(1,2)), mode='edge')
  SingleOpGraph op(OpType::Pad, {Values("x", {2, 3}, kMatrix)},
                   {Spec("y", DType::kFloat32, {4, 6})}, Pads({0, 1, 2, 2}, PadMode::Edge));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{1, 1, 2, 3, 3, 3,  //
                                                                       4, 4, 5, 6, 6, 6,  //
                                                                       4, 4, 5, 6, 6, 6,  //
                                                                       4, 4, 5, 6, 6, 6}));
}

TEST_P(PadTest, SpatialPaddingOfNchw) {
  std::vector<int64_t> x = {1, 2, 3, 4};
  SingleOpGraph op(OpType::Pad, {Values("x", {1, 1, 2, 2}, x)},
                   {Spec("y", DType::kInt64, {1, 1, 3, 4})},
                   Pads({0, 0, 1, 1, 0, 0, 0, 1}, PadMode::Constant, -7.0f));
  EXPECT_EQ(RunOk(op, GetParam()).Values<int64_t>(),
            (std::vector<int64_t>{-7, -7, -7, -7, -7, 1, 2, -7, -7, 3, 4, -7}));
}

TEST_P(PadTest, QuantizedConstantIsQuantizedWithTheTensorsParameters) {
  // value 1.0 on scale 0.25, zero point -3: round(4) - 3 = 1.
  SingleOpGraph op(OpType::Pad, {Quantized(Values<int8_t>("x", {2}, {5, 6}), 0.25f, -3)},
                   {Quantized(Spec("y", DType::kInt8, {4}), 0.25f, -3)},
                   Pads({1, 1}, PadMode::Constant, 1.0f));
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{1, 5, 6, 1}));
  SingleOpGraph zero(OpType::Pad, {Quantized(Values<uint8_t>("x", {1}, {200}), 0.1f, 128)},
                     {Quantized(Spec("y", DType::kUInt8, {2}), 0.1f, 128)},
                     Pads({0, 1}, PadMode::Constant));
  EXPECT_EQ(RunOk(zero, GetParam()).Values<uint8_t>(), (std::vector<uint8_t>{200, 128}));
}

TEST_P(PadTest, BadPadsAreRejected) {
  SingleOpGraph reflect_too_far(OpType::Pad, {Values("x", {2, 3}, kMatrix)},
                                {Spec("y", DType::kFloat32, {2, 6})},
                                Pads({0, 3, 0, 0}, PadMode::Reflect));
  EXPECT_EQ(reflect_too_far.Load(GetParam()).code(), StatusCode::kInvalidArgument);
  SingleOpGraph wrong_output(OpType::Pad, {Values("x", {2, 3}, kMatrix)},
                             {Spec("y", DType::kFloat32, {2, 4})},
                             Pads({0, 0, 0, 2}, PadMode::Constant));
  EXPECT_EQ(wrong_output.Load(GetParam()).code(), StatusCode::kInvalidArgument);
  SingleOpGraph wrong_count(OpType::Pad, {Values("x", {2, 3}, kMatrix)},
                            {Spec("y", DType::kFloat32, {2, 4})}, Pads({0, 1}, PadMode::Edge));
  EXPECT_EQ(wrong_count.Load(GetParam()).code(), StatusCode::kInvalidArgument);
  // A dim and its pads that sum past INT32_MAX (a fuzzed file's) are a mismatch, not an overflow.
  SingleOpGraph overflowing(OpType::Pad, {Values("x", {2, 3}, kMatrix)},
                            {Spec("y", DType::kFloat32, {2, 2})},
                            Pads({0, 1, 0, 2147483647}, PadMode::Constant));
  EXPECT_EQ(overflowing.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(PadTest);

}  // namespace
}  // namespace tinymlops::kernel_test

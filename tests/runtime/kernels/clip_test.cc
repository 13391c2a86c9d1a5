// Clip: bounds from options or constant inputs, float/quantized/integer, min > max.
#include <gtest/gtest.h>

#include <limits>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class ClipTest : public KernelSetTest {};

tmm::OpOptionsUnion ClipBounds(float min, float max) {
  tmm::ClipOptionsT options;
  options.min = min;
  options.max = max;
  tmm::OpOptionsUnion result;
  result.Set(std::move(options));
  return result;
}

TEST_P(ClipTest, FloatWithOptions) {
  SingleOpGraph op(OpType::Clip, {Values<float>("x", {5}, {-3, -1, 0.5f, 6, 7})},
                   {Spec("y", DType::kFloat32, {5})}, ClipBounds(-1.0f, 6.0f));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{-1, -1, 0.5f, 6, 6}));
}

TEST_P(ClipTest, NoOptionsOrMaxOnlyLeaveOtherSideOpen) {
  SingleOpGraph none(OpType::Clip, {Values<float>("x", {2}, {-1e30f, 1e30f})},
                     {Spec("y", DType::kFloat32, {2})});
  EXPECT_EQ(RunOk(none, GetParam()).Values<float>(), (std::vector<float>{-1e30f, 1e30f}));
  SingleOpGraph max_only(
      OpType::Clip,
      {Values<float>("x", {2}, {-5, 5}), Absent(), Constant(Values<float>("max", {}, {2.0f}))},
      {Spec("y", DType::kFloat32, {2})});
  EXPECT_EQ(RunOk(max_only, GetParam()).Values<float>(), (std::vector<float>{-5, 2}));
}

TEST_P(ClipTest, ConstantInputsOverrideOptions) {
  SingleOpGraph op(OpType::Clip,
                   {Values<float>("x", {3}, {-5, 0, 5}), Constant(Values<float>("lo", {}, {-2})),
                    Constant(Values<float>("hi", {}, {3}))},
                   {Spec("y", DType::kFloat32, {3})}, ClipBounds(0, 1));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{-2, 0, 3}));
}

TEST_P(ClipTest, MinAboveMaxGivesMaxEverywhere) {
  SingleOpGraph op(OpType::Clip, {Values<float>("x", {3}, {-5, 0, 5})},
                   {Spec("y", DType::kFloat32, {3})}, ClipBounds(2, 1));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{1, 1, 1}));
}

TEST_P(ClipTest, QuantizedSameParametersClampQuantizedBounds) {
  // Grid 0.5 with zero point -10: -1.0 -> -12, 2.0 -> -6.
  SingleOpGraph op(OpType::Clip,
                   {Quantized(Values<int8_t>("x", {5}, {-128, -13, -12, -6, 100}), 0.5f, -10)},
                   {Quantized(Spec("y", DType::kInt8, {5}), 0.5f, -10)}, ClipBounds(-1.0f, 2.0f));
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{-12, -12, -12, -6, -6}));
}

TEST_P(ClipTest, QuantizedDifferentParametersRequantizeThenClamp) {
  // Input real 0.25 * (q - 0); output grid 0.5, zero point 0; clip [0, 10].
  SingleOpGraph op(OpType::Clip, {Quantized(Values<int8_t>("x", {4}, {-8, 6, 10, 100}), 0.25f, 0)},
                   {Quantized(Spec("y", DType::kInt8, {4}), 0.5f, 0)}, ClipBounds(0.0f, 10.0f));
  // Reals -2, 1.5, 2.5, 25 -> clip 0, 1.5, 2.5, 10 -> q 0, 3, 5, 20.
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{0, 3, 5, 20}));
}

TEST_P(ClipTest, UnquantizedInt8UsesIntegerBounds) {
  SingleOpGraph op(OpType::Clip, {Values<int8_t>("x", {4}, {-128, -3, 4, 127})},
                   {Spec("y", DType::kInt8, {4})}, ClipBounds(-2.5f, 3.5f));
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{-2, -2, 3, 3}));
}

TEST_P(ClipTest, NonConstantBoundIsRejected) {
  SingleOpGraph op(OpType::Clip, {Values<float>("x", {2}, {1, 2}), Values<float>("lo", {}, {0})},
                   {Spec("y", DType::kFloat32, {2})});
  EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kUnsupported);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(ClipTest);

}  // namespace
}  // namespace tinymlops::kernel_test

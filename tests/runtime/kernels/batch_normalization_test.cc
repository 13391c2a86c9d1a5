// BatchNormalization (folded form y = x * scale[c] + shift[c] on axis 1): hand-worked values
// for 2-D and 4-D inputs, and errors for quantized input and mismatched parameter shapes.
#include <gtest/gtest.h>

#include <cstring>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class BatchNormalizationTest : public KernelSetTest {};

TEST_P(BatchNormalizationTest, ScalesAndShiftsEachChannelOf4DInput) {
  // x [2, 2, 1, 2]; channel 0: * 2 + 1, channel 1: * -0.5 + 0.
  SingleOpGraph op(OpType::BatchNormalization,
                   {Values<float>("x", {2, 2, 1, 2}, {1, 2, 4, 8, -1, 0, 2, -2}),
                    Constant(Values<float>("scale", {2}, {2, -0.5f})),
                    Constant(Values<float>("shift", {2}, {1, 0}))},
                   {Spec("y", DType::kFloat32, {2, 2, 1, 2})});
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(),
            (std::vector<float>{3, 5, -2, -4, -1, 1, -1, 1}));
}

TEST_P(BatchNormalizationTest, TwoDimensionalInput) {
  SingleOpGraph op(OpType::BatchNormalization,
                   {Values<float>("x", {2, 3}, {1, 1, 1, 2, 2, 2}),
                    Constant(Values<float>("scale", {3}, {1, 2, 3})),
                    Constant(Values<float>("shift", {3}, {0, 0.5f, -1}))},
                   {Spec("y", DType::kFloat32, {2, 3})});
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{1, 2.5f, 2, 2, 4.5f, 5}));
}

TEST_P(BatchNormalizationTest, RejectsQuantizedInput) {
  SingleOpGraph op(OpType::BatchNormalization,
                   {Quantized(Values<int8_t>("x", {1, 2}, {1, 2}), 0.1f, 0),
                    Constant(Values<float>("scale", {2}, {1, 1})),
                    Constant(Values<float>("shift", {2}, {0, 0}))},
                   {Quantized(Spec("y", DType::kInt8, {1, 2}), 0.1f, 0)});
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'op'"), nullptr) << status.message();
}

TEST_P(BatchNormalizationTest, RejectsScaleOfTheWrongLength) {
  SingleOpGraph op(OpType::BatchNormalization,
                   {Values<float>("x", {1, 2, 2}, {1, 2, 3, 4}),
                    Constant(Values<float>("scale", {3}, {1, 1, 1})),
                    Constant(Values<float>("shift", {2}, {0, 0}))},
                   {Spec("y", DType::kFloat32, {1, 2, 2})});
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'scale'"), nullptr) << status.message();
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(BatchNormalizationTest);

}  // namespace
}  // namespace tinymlops::kernel_test

// Sub: order of operands under broadcasting, fused activation, integer and quantized forms.
#include <gtest/gtest.h>

#include <cmath>

#include "binary_op_test_support.h"
#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::ActivationType;
using tmm::OpType;

class SubTest : public KernelSetTest {};

TEST_P(SubTest, FloatBroadcastKeepsOperandOrder) {
  const std::vector<float> a = {1, 2, 3, 4, 5, 6};
  const std::vector<float> b = {10, 20};
  SingleOpGraph op(OpType::Sub,
                   {Values("a", {1, 3}, std::vector<float>{1, 2, 3}), Values("b", {2, 1}, b)},
                   {Spec("y", DType::kFloat32, {2, 3})});
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{-9, -8, -7, -19, -18, -17}));
  SingleOpGraph reversed(OpType::Sub, {Values("b", {2, 1}, b), Values("a", {2, 3}, a)},
                         {Spec("y", DType::kFloat32, {2, 3})});
  EXPECT_EQ(RunOk(reversed, GetParam()).Values<float>(),
            NaiveBroadcast<float>(b, {2, 1}, a, {2, 3}, [](float x, float z) { return x - z; }));
}

TEST_P(SubTest, FusedReluZeroesNegativeDifferences) {
  SingleOpGraph op(OpType::Sub,
                   {Values<float>("a", {3}, {1, 5, 2}), Values<float>("b", {3}, {3, 1, 2})},
                   {Spec("y", DType::kFloat32, {3})}, FusedActivation(ActivationType::Relu));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{0, 4, 0}));
}

TEST_P(SubTest, Int64AndUnquantizedUint8) {
  SingleOpGraph wide(
      OpType::Sub, {Values<int64_t>("a", {2}, {5000000000LL, -3}), Values<int64_t>("b", {1}, {7})},
      {Spec("y", DType::kInt64, {2})});
  EXPECT_EQ(RunOk(wide, GetParam()).Values<int64_t>(), (std::vector<int64_t>{4999999993LL, -10}));
  SingleOpGraph narrow(OpType::Sub,
                       {Values<uint8_t>("a", {2}, {3, 200}), Values<uint8_t>("b", {2}, {5, 100})},
                       {Spec("y", DType::kUInt8, {2})});
  EXPECT_EQ(RunOk(narrow, GetParam()).Values<uint8_t>(), (std::vector<uint8_t>{254, 100}));
}

TEST_P(SubTest, QuantizedInt8MatchesDoubleDerivation) {
  const float scale_a = 0.02f, scale_b = 0.03f, scale_y = 0.045f;
  const int32_t zero_a = -10, zero_b = 7, zero_y = 2;
  std::vector<int8_t> a, b;
  for (int i = 0; i < 32; ++i) a.push_back(static_cast<int8_t>(-128 + i * 8));
  for (int j = 0; j < 32; ++j) b.push_back(static_cast<int8_t>(127 - j * 8));
  SingleOpGraph op(OpType::Sub,
                   {Quantized(Values("a", {32}, a), scale_a, zero_a),
                    Quantized(Values("b", {32}, b), scale_b, zero_b)},
                   {Quantized(Spec("y", DType::kInt8, {32}), scale_y, zero_y)});
  const std::vector<int8_t> y = RunOk(op, GetParam()).Values<int8_t>();
  ASSERT_EQ(y.size(), 32u);
  for (int i = 0; i < 32; ++i) {
    const double real = scale_a * (static_cast<double>(a[i]) - zero_a) -
                        scale_b * (static_cast<double>(b[i]) - zero_b);
    const double ideal = IdealQuantized(real, scale_y, zero_y);
    const double expected = std::min(127.0, std::max(-128.0, std::round(ideal)));
    if (NearTie(ideal, 0.01))
      EXPECT_NEAR(y[i], expected, 1);
    else
      EXPECT_EQ(y[i], expected) << i;
  }
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(SubTest);

}  // namespace
}  // namespace tinymlops::kernel_test

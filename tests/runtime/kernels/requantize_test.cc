// Requantize: int8 <-> uint8 and scale changes against a double re-derivation.
#include <gtest/gtest.h>

#include <cmath>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class RequantizeTest : public KernelSetTest {};

TEST_P(RequantizeTest, Int8ToUint8ShiftsTheZeroPointExactly) {
  std::vector<int8_t> x;
  for (int v = -128; v <= 127; ++v) x.push_back(static_cast<int8_t>(v));
  SingleOpGraph op(OpType::Requantize, {Quantized(Values("x", {256}, x), 0.02f, -5)},
                   {Quantized(Spec("y", DType::kUInt8, {256}), 0.02f, 123)});
  std::vector<uint8_t> expected;
  for (int v = -128; v <= 127; ++v) expected.push_back(static_cast<uint8_t>(v + 128));
  EXPECT_EQ(RunOk(op, GetParam()).Values<uint8_t>(), expected);
}

TEST_P(RequantizeTest, ScaleChangeMatchesDoubleAwayFromTies) {
  std::vector<uint8_t> x;
  for (int v = 0; v <= 255; ++v) x.push_back(static_cast<uint8_t>(v));
  const float in_scale = 0.013f, out_scale = 0.037f;
  SingleOpGraph op(OpType::Requantize, {Quantized(Values("x", {256}, x), in_scale, 100)},
                   {Quantized(Spec("y", DType::kInt8, {256}), out_scale, 7)});
  const std::vector<int8_t> y = RunOk(op, GetParam()).Values<int8_t>();
  ASSERT_EQ(y.size(), 256u);
  for (int v = 0; v <= 255; ++v) {
    const double ideal = in_scale * (v - 100.0) / out_scale + 7;
    const double expected = std::min(127.0, std::max(-128.0, std::round(ideal)));
    if (std::fabs(ideal - std::floor(ideal) - 0.5) < 0.001)
      EXPECT_NEAR(y[v], expected, 1);
    else
      EXPECT_EQ(y[v], expected) << v;
  }
}

TEST_P(RequantizeTest, UnquantizedOrFloatIsRejected) {
  SingleOpGraph op(OpType::Requantize, {Values<int8_t>("x", {1}, {1})},
                   {Quantized(Spec("y", DType::kInt8, {1}), 0.1f, 0)});
  EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kUnsupported);
  SingleOpGraph from_float(OpType::Requantize, {Values<float>("x", {1}, {1})},
                           {Quantized(Spec("y", DType::kInt8, {1}), 0.1f, 0)});
  EXPECT_EQ(from_float.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(RequantizeTest);

}  // namespace
}  // namespace tinymlops::kernel_test

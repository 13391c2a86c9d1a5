// Mul: broadcasting, fused Clip, integers and TFLite's quantized multiply.
#include <gtest/gtest.h>

#include <cmath>

#include "binary_op_test_support.h"
#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::ActivationType;
using tmm::OpType;

class MulTest : public KernelSetTest {};

TEST_P(MulTest, FloatChannelScaleWithFusedClip) {
  std::vector<float> x(2 * 3 * 2);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) - 4.0f;
  const std::vector<float> scale = {0.5f, -1.0f, 2.0f};
  SingleOpGraph op(OpType::Mul, {Values("x", {2, 3, 2}, x), Constant(Values("s", {3, 1}, scale))},
                   {Spec("y", DType::kFloat32, {2, 3, 2})},
                   FusedActivation(ActivationType::Clip, -3.0f, 6.0f));
  const std::vector<float> expected = NaiveBroadcast<float>(
      x, {2, 3, 2}, scale, {3, 1},
      [](float a, float b) { return std::min(6.0f, std::max(-3.0f, a * b)); });
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), expected);
}

TEST_P(MulTest, Int32AndWrappingUint8) {
  SingleOpGraph wide(
      OpType::Mul, {Values<int32_t>("a", {3}, {-46341, 7, 0}), Values<int32_t>("b", {1}, {46340})},
      {Spec("y", DType::kInt32, {3})});
  EXPECT_EQ(RunOk(wide, GetParam()).Values<int32_t>(),
            (std::vector<int32_t>{-2147441940, 324380, 0}));
  SingleOpGraph narrow(OpType::Mul,
                       {Values<uint8_t>("a", {2}, {20, 3}), Values<uint8_t>("b", {2}, {20, 5})},
                       {Spec("y", DType::kUInt8, {2})});
  EXPECT_EQ(RunOk(narrow, GetParam()).Values<uint8_t>(), (std::vector<uint8_t>{144, 15}));
}

template <typename T>
void ExpectQuantizedMulMatchesDouble(KernelSet kernels) {
  const float scale_a = 0.05f, scale_b = 0.013f, scale_y = 0.07f;
  const int32_t offset = std::is_signed_v<T> ? 0 : 128;
  const int32_t zero_a = offset + 3, zero_b = offset - 9, zero_y = offset + 1;
  std::vector<T> a, b;
  for (int i = 0; i < 16; ++i) a.push_back(static_cast<T>(offset - 128 + i * 16 + 3));
  for (int j = 0; j < 16; ++j) b.push_back(static_cast<T>(offset + 127 - j * 15));
  SingleOpGraph op(OpType::Mul,
                   {Quantized(Values("a", {16, 1}, a), scale_a, zero_a),
                    Quantized(Values("b", {1, 16}, b), scale_b, zero_b)},
                   {Quantized(Spec("y", DTypeOf<T>(), {16, 16}), scale_y, zero_y)});
  const std::vector<T> y = RunOk(op, kernels).Values<T>();
  ASSERT_EQ(y.size(), 256u);
  const double lowest = std::numeric_limits<T>::min(), highest = std::numeric_limits<T>::max();
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      const double real = scale_a * (static_cast<double>(a[i]) - zero_a) * scale_b *
                          (static_cast<double>(b[j]) - zero_b);
      const double ideal = IdealQuantized(real, scale_y, zero_y);
      const double expected = std::min(highest, std::max(lowest, std::round(ideal)));
      // TFLite rounds the high product before the final shift: within 1/64 of a tie the two
      // roundings may land one step apart.
      if (NearTie(ideal, 0.02))
        EXPECT_NEAR(y[i * 16 + j], expected, 1);
      else
        EXPECT_EQ(y[i * 16 + j], expected) << i << "," << j;
    }
}

TEST_P(MulTest, QuantizedInt8MatchesDoubleDerivation) {
  ExpectQuantizedMulMatchesDouble<int8_t>(GetParam());
}
TEST_P(MulTest, QuantizedUint8MatchesDoubleDerivation) {
  ExpectQuantizedMulMatchesDouble<uint8_t>(GetParam());
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(MulTest);

}  // namespace
}  // namespace tinymlops::kernel_test

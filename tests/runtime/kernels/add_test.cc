// Add: NumPy broadcasting, fused activations, float/int32/unquantized-uint8/quantized int8 and
// uint8 (TFLite's integer algorithm checked against a double-precision re-derivation).
#include <gtest/gtest.h>

#include <cmath>

#include "binary_op_test_support.h"
#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::ActivationType;
using tmm::OpType;

class AddTest : public KernelSetTest {};

void ExpectFloatBroadcast(KernelSet kernels, std::vector<int32_t> a_shape,
                          std::vector<int32_t> b_shape) {
  auto count = [](const std::vector<int32_t>& shape) {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    return n;
  };
  std::vector<float> a(count(a_shape)), b(count(b_shape));
  for (size_t i = 0; i < a.size(); ++i) a[i] = 0.5f * static_cast<float>(i) - 3.0f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = 100.0f * static_cast<float>(i + 1);
  const std::vector<int32_t> out_shape = BroadcastShape(a_shape, b_shape);
  SingleOpGraph op(OpType::Add, {Values("a", a_shape, a), Values("b", b_shape, b)},
                   {Spec("y", DType::kFloat32, out_shape)});
  const TensorDef y = RunOk(op, kernels);
  EXPECT_EQ(y.shape, out_shape);
  EXPECT_EQ(y.Values<float>(),
            NaiveBroadcast<float>(a, a_shape, b, b_shape, [](float x, float z) { return x + z; }));
}

TEST_P(AddTest, FloatSameShape) { ExpectFloatBroadcast(GetParam(), {2, 3}, {2, 3}); }
TEST_P(AddTest, FloatRowBroadcast) { ExpectFloatBroadcast(GetParam(), {2, 3}, {3}); }
TEST_P(AddTest, FloatBothSidesBroadcast) { ExpectFloatBroadcast(GetParam(), {2, 1, 3}, {4, 1}); }
TEST_P(AddTest, FloatScalarOperand) { ExpectFloatBroadcast(GetParam(), {}, {2, 2}); }
TEST_P(AddTest, FloatChannelBroadcastNchw) {
  ExpectFloatBroadcast(GetParam(), {1, 3, 2, 2}, {3, 1, 1});
}
TEST_P(AddTest, FloatRankSix) {
  ExpectFloatBroadcast(GetParam(), {2, 1, 2, 1, 2, 3}, {1, 2, 1, 3, 1, 1});
}

TEST_P(AddTest, FusedReluAndClip) {
  const std::vector<float> a = {-2.0f, -0.5f, 0.5f, 4.0f};
  const std::vector<float> b = {0.0f, 0.25f, 0.25f, 1.0f};
  SingleOpGraph relu(OpType::Add, {Values("a", {4}, a), Values("b", {4}, b)},
                     {Spec("y", DType::kFloat32, {4})}, FusedActivation(ActivationType::Relu));
  EXPECT_EQ(RunOk(relu, GetParam()).Values<float>(), (std::vector<float>{0.0f, 0.0f, 0.75f, 5.0f}));
  SingleOpGraph clip(OpType::Add, {Values("a", {4}, a), Values("b", {4}, b)},
                     {Spec("y", DType::kFloat32, {4})},
                     FusedActivation(ActivationType::Clip, -1.0f, 2.0f));
  EXPECT_EQ(RunOk(clip, GetParam()).Values<float>(),
            (std::vector<float>{-1.0f, -0.25f, 0.75f, 2.0f}));
}

TEST_P(AddTest, Int32IsExact) {
  const std::vector<int32_t> a = {1000000000, -7, 3, 0, 2147483000, -2147483000};
  const std::vector<int32_t> b = {1000000000, 7, -10, 0, 600, -600};
  SingleOpGraph op(OpType::Add, {Values("a", {2, 3}, a), Values("b", {2, 3}, b)},
                   {Spec("y", DType::kInt32, {2, 3})});
  EXPECT_EQ(RunOk(op, GetParam()).Values<int32_t>(),
            (std::vector<int32_t>{2000000000, 0, -7, 0, 2147483600, -2147483600}));
}

TEST_P(AddTest, UnquantizedUint8WrapsAroundLikeNumpy) {
  SingleOpGraph op(
      OpType::Add,
      {Values<uint8_t>("a", {3}, {200, 1, 255}), Values<uint8_t>("b", {3}, {100, 2, 1})},
      {Spec("y", DType::kUInt8, {3})});
  EXPECT_EQ(RunOk(op, GetParam()).Values<uint8_t>(), (std::vector<uint8_t>{44, 3, 0}));
}

TEST_P(AddTest, QuantizedHandWorked) {
  // 1.5 + 2.0 = 3.5 on a 0.5 grid: q = 7 (+ zero points).
  SingleOpGraph op(OpType::Add,
                   {Quantized(Values<int8_t>("a", {1}, {13}), 0.5f, 10),
                    Quantized(Values<int8_t>("b", {1}, {-16}), 0.25f, -24)},
                   {Quantized(Spec("y", DType::kInt8, {1}), 0.5f, -5)});
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{2}));
}

template <typename T>
void ExpectQuantizedAddMatchesDouble(KernelSet kernels, ActivationType activation) {
  const float scale_a = 0.037f, scale_b = 0.011f, scale_y = 0.049f;
  const int32_t zero_a = std::is_signed_v<T> ? 5 : 133, zero_b = std::is_signed_v<T> ? -20 : 108;
  const int32_t zero_y = std::is_signed_v<T> ? -3 : 125;
  std::vector<T> a, b;
  const int lowest = std::numeric_limits<T>::min(), highest = std::numeric_limits<T>::max();
  for (int i = 0; i < 16; ++i) a.push_back(static_cast<T>(lowest + (i * 17) % 256));
  for (int j = 0; j < 16; ++j) b.push_back(static_cast<T>(highest - (j * 29) % 256));
  const DType dtype = DTypeOf<T>();
  SingleOpGraph op(OpType::Add,
                   {Quantized(Values("a", {16, 1}, a), scale_a, zero_a),
                    Quantized(Values("b", {16}, b), scale_b, zero_b)},
                   {Quantized(Spec("y", dtype, {16, 16}), scale_y, zero_y)},
                   FusedActivation(activation));
  const std::vector<T> y = RunOk(op, kernels).Values<T>();
  ASSERT_EQ(y.size(), 256u);
  const int low = activation == ActivationType::Relu ? std::max(lowest, zero_y) : lowest;
  int checked_exactly = 0;
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      const double real = scale_a * (static_cast<double>(a[i]) - zero_a) +
                          scale_b * (static_cast<double>(b[j]) - zero_b);
      const double ideal = IdealQuantized(real, scale_y, zero_y);
      const double expected = std::min<double>(highest, std::max<double>(low, std::round(ideal)));
      const int got = y[i * 16 + j];
      if (NearTie(ideal, 0.01)) {
        EXPECT_NEAR(got, expected, 1) << i << "," << j;
      } else {
        EXPECT_EQ(got, expected) << "a=" << int{a[i]} << " b=" << int{b[j]};
        ++checked_exactly;
      }
    }
  EXPECT_GT(checked_exactly, 240);
}

TEST_P(AddTest, QuantizedInt8MatchesDoubleDerivation) {
  ExpectQuantizedAddMatchesDouble<int8_t>(GetParam(), ActivationType::None);
}
TEST_P(AddTest, QuantizedUint8MatchesDoubleDerivation) {
  ExpectQuantizedAddMatchesDouble<uint8_t>(GetParam(), ActivationType::None);
}
TEST_P(AddTest, QuantizedInt8FusedReluClampsAtZeroPoint) {
  ExpectQuantizedAddMatchesDouble<int8_t>(GetParam(), ActivationType::Relu);
}

TEST_P(AddTest, ShapesThatDoNotBroadcastAreRejected) {
  SingleOpGraph op(OpType::Add,
                   {Values<float>("a", {2, 3}, std::vector<float>(6)),
                    Values<float>("b", {2}, std::vector<float>(2))},
                   {Spec("y", DType::kFloat32, {2, 3})});
  const Status status = op.Load(GetParam());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("do not broadcast"), std::string::npos)
      << status.message();
}

TEST_P(AddTest, OutputShapeMustBeTheBroadcastShape) {
  SingleOpGraph op(OpType::Add,
                   {Values<float>("a", {2, 3}, std::vector<float>(6)),
                    Values<float>("b", {3}, std::vector<float>(3))},
                   {Spec("y", DType::kFloat32, {4, 3})});
  EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TEST_P(AddTest, MixedDTypesAreRejected) {
  SingleOpGraph op(OpType::Add,
                   {Values<float>("a", {2}, {1, 2}), Values<int32_t>("b", {2}, {1, 2})},
                   {Spec("y", DType::kFloat32, {2})});
  EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TEST_P(AddTest, PartlyQuantizedInt8IsRejected) {
  SingleOpGraph op(
      OpType::Add,
      {Quantized(Values<int8_t>("a", {2}, {1, 2}), 0.1f, 0), Values<int8_t>("b", {2}, {1, 2})},
      {Quantized(Spec("y", DType::kInt8, {2}), 0.1f, 0)});
  EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(AddTest);

}  // namespace
}  // namespace tinymlops::kernel_test

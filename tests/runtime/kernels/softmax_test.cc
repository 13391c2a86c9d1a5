// Softmax: both axis semantics (opset 13 one axis; older opsets the flattened tail), default
// axis, int8/uint8 integer softmax (sums to ~256, monotonic, close to the real softmax), and
// the error for an output without TFLite's fixed parameters.
#include <gtest/gtest.h>

#include <cmath>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class SoftmaxTest : public KernelSetTest {};

tmm::OpOptionsUnion SoftmaxAxes(int axis, int axis_end) {
  tmm::SoftmaxOptionsT options;
  options.axis = axis;
  options.axis_end = axis_end;
  tmm::OpOptionsUnion result;
  result.Set(std::move(options));
  return result;
}

// Softmax of x (shape [a, b, c]) over dims [axis, axis_end), naively in double.
std::vector<double> NaiveSoftmax(const std::vector<float>& x, const std::vector<int32_t>& shape,
                                 int axis, int axis_end) {
  int64_t outer = 1, depth = 1, inner = 1;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d)
    (d < axis ? outer : d < axis_end ? depth : inner) *= shape[d];
  std::vector<double> y(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double sum = 0;
      for (int64_t c = 0; c < depth; ++c) sum += std::exp(double{x[(o * depth + c) * inner + i]});
      for (int64_t c = 0; c < depth; ++c) {
        const int64_t k = (o * depth + c) * inner + i;
        y[k] = std::exp(double{x[k]}) / sum;
      }
    }
  return y;
}

std::vector<float> Ramp(int n) {
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = std::sin(0.7f * static_cast<float>(i)) * 3.0f;
  return x;
}

void ExpectFloatSoftmax(KernelSet kernels, int axis, int axis_end, tmm::OpOptionsUnion options) {
  const std::vector<int32_t> shape = {2, 3, 4};
  const std::vector<float> x = Ramp(24);
  SingleOpGraph op(OpType::Softmax, {Values("x", shape, x)}, {Spec("y", DType::kFloat32, shape)},
                   std::move(options));
  const std::vector<float> y = RunOk(op, kernels).Values<float>();
  const std::vector<double> expected = NaiveSoftmax(x, shape, axis, axis_end);
  ASSERT_EQ(y.size(), expected.size());
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], expected[i], 1e-6) << i;
}

TEST_P(SoftmaxTest, Opset13SingleMiddleAxis) {
  ExpectFloatSoftmax(GetParam(), 1, 2, SoftmaxAxes(1, 2));
}
TEST_P(SoftmaxTest, Opset11CoercedTwoDimensional) {
  ExpectFloatSoftmax(GetParam(), 1, 3, SoftmaxAxes(1, 3));
}
TEST_P(SoftmaxTest, NegativeAxisCountsFromTheEnd) {
  ExpectFloatSoftmax(GetParam(), 0, 1, SoftmaxAxes(-3, -2));
}
TEST_P(SoftmaxTest, NoOptionsMeansLastAxis) { ExpectFloatSoftmax(GetParam(), 2, 3, {}); }

TEST_P(SoftmaxTest, FloatLargeValuesDoNotOverflow) {
  SingleOpGraph op(OpType::Softmax, {Values<float>("x", {1, 2}, {1000.0f, 1000.0f})},
                   {Spec("y", DType::kFloat32, {1, 2})}, SoftmaxAxes(1, 2));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{0.5f, 0.5f}));
}

template <typename T>
void ExpectQuantizedSoftmax(KernelSet kernels) {
  const int32_t offset = std::is_signed_v<T> ? 0 : 128;
  const float scale = 0.1f;
  std::vector<T> x;
  for (int i = 0; i < 10; ++i) x.push_back(static_cast<T>(offset + i * i - 40));
  x.push_back(static_cast<T>(offset - 128));  // far below the maximum: contributes nothing
  SingleOpGraph op(OpType::Softmax, {Quantized(Values("x", {1, 11}, x), scale, offset)},
                   {Quantized(Spec("y", DTypeOf<T>(), {1, 11}), 1.0f / 256, offset - 128)},
                   SoftmaxAxes(1, 2));
  const std::vector<T> y = RunOk(op, kernels).template Values<T>();
  ASSERT_EQ(y.size(), 11u);
  std::vector<float> real;
  for (T q : x) real.push_back(scale * (static_cast<float>(q) - offset));
  const std::vector<double> expected = NaiveSoftmax(real, {1, 11}, 1, 2);
  int sum = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const int probability_256 = static_cast<int>(y[i]) - (offset - 128);
    sum += probability_256;
    EXPECT_NEAR(probability_256, expected[i] * 256.0, 1.0) << i;
    if (i > 0 && i < 10) {
      EXPECT_GE(y[i], y[i - 1]) << "softmax must be monotonic";
    }
  }
  EXPECT_NEAR(sum, 256, 5);
}

TEST_P(SoftmaxTest, Int8SumsTo256AndIsMonotonic) { ExpectQuantizedSoftmax<int8_t>(GetParam()); }
TEST_P(SoftmaxTest, Uint8SumsTo256AndIsMonotonic) { ExpectQuantizedSoftmax<uint8_t>(GetParam()); }

TEST_P(SoftmaxTest, Int8OutputWithOtherParametersIsRejected) {
  SingleOpGraph op(OpType::Softmax, {Quantized(Values<int8_t>("x", {1, 2}, {1, 2}), 0.1f, 0)},
                   {Quantized(Spec("y", DType::kInt8, {1, 2}), 1.0f / 255, -128)},
                   SoftmaxAxes(1, 2));
  const Status status = op.Load(GetParam());
  EXPECT_EQ(status.code(), StatusCode::kUnsupported);
  EXPECT_NE(std::string(status.message()).find("1/256"), std::string::npos) << status.message();
}

TEST_P(SoftmaxTest, AxisOutsideTheTensorIsRejected) {
  SingleOpGraph op(OpType::Softmax, {Values<float>("x", {1, 2}, {1, 2})},
                   {Spec("y", DType::kFloat32, {1, 2})}, SoftmaxAxes(2, 3));
  EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(SoftmaxTest);

}  // namespace
}  // namespace tinymlops::kernel_test

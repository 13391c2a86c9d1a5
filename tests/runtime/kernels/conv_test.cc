// Conv: float32 against a direct loop over the ONNX definition (window_op_reference.h) for
// 1-D, 2-D and 3-D, strides, dilations, asymmetric pads, groups, depthwise, bias and fused
// activations; int8/uint8 against a double-precision re-derivation of the quantized result;
// errors for inputs the kernel cannot run.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "numeric_expectations.h"
#include "single_op_graph.h"
#include "window_op_reference.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::ActivationType;
using tmm::OpType;

class ConvTest : public KernelSetTest {};

struct ConvCase {
  WindowSpec window;
  int32_t filters = 1;
  int32_t group = 1;
  bool bias = true;
  ActivationType activation = ActivationType::None;
  float clip_min = 0.0f;
  float clip_max = 0.0f;

  std::vector<int32_t> WeightShape() const {
    std::vector<int32_t> shape = {filters, window.input[1] / group};
    shape.insert(shape.end(), window.kernel.begin(), window.kernel.end());
    return shape;
  }
  std::vector<int32_t> OutputShape() const {
    std::vector<int32_t> shape = {window.input[0], filters};
    for (int32_t d : window.OutputSpatial()) shape.push_back(d);
    return shape;
  }
  tmm::OpOptionsUnion Options() const {
    tmm::ConvOptionsT options;
    options.group = group;
    options.strides = window.strides;
    options.dilations = window.dilations;
    options.pads = window.pads;
    options.activation = std::make_unique<tmm::ActivationT>();
    options.activation->type = activation;
    options.activation->clip_min = clip_min;
    options.activation->clip_max = clip_max;
    tmm::OpOptionsUnion union_options;
    union_options.Set(std::move(options));
    return union_options;
  }
  // The real clamp of the fused activation.
  double Activate(double value) const {
    if (activation == ActivationType::Relu) return std::max(0.0, value);
    if (activation == ActivationType::Clip)
      return std::min<double>(clip_max, std::max<double>(clip_min, value));
    return value;
  }
};

// Runs `c` in float32 on pseudo-random data and compares with NaiveConv.
void ExpectFloatConvMatchesDefinition(KernelSet kernels, const ConvCase& c) {
  const std::vector<float> x = RandomFloats(ElementCount(c.window.input), 1);
  const std::vector<float> w = RandomFloats(ElementCount(c.WeightShape()), 2);
  const std::vector<float> b = c.bias ? RandomFloats(c.filters, 3) : std::vector<float>();
  std::vector<TensorDef> inputs = {Values("x", c.window.input, x),
                                   Constant(Values("w", c.WeightShape(), w))};
  if (c.bias) inputs.push_back(Constant(Values("b", {c.filters}, b)));
  SingleOpGraph op(OpType::Conv, inputs, {Spec("y", DType::kFloat32, c.OutputShape())},
                   c.Options());
  const TensorDef y = RunOk(op, kernels);
  EXPECT_EQ(y.shape, c.OutputShape());
  std::vector<double> expected =
      NaiveConv(c.window, c.filters, c.group, ToDoubles(x), ToDoubles(w), ToDoubles(b));
  for (double& value : expected) value = c.Activate(value);
  ExpectFloatsNear(y.Values<float>(), expected);
}

TEST_P(ConvTest, HandWorked2x2KernelOver3x3) {
  // x = 1..9 as 3x3, w = [[1, 0], [0, -1]]: y[i][j] = x[i][j] - x[i+1][j+1] = -4, plus bias 10.
  SingleOpGraph op(OpType::Conv,
                   {Values<float>("x", {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}),
                    Constant(Values<float>("w", {1, 1, 2, 2}, {1, 0, 0, -1})),
                    Constant(Values<float>("b", {1}, {10}))},
                   {Spec("y", DType::kFloat32, {1, 1, 2, 2})}, ConvCase().Options());
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{6, 6, 6, 6}));
}

TEST_P(ConvTest, Float2DWithBias) {
  ConvCase c;
  c.window = {{1, 2, 5, 5}, {3, 3}, {1, 1}, {1, 1}, {0, 0, 0, 0}};
  c.filters = 3;
  ExpectFloatConvMatchesDefinition(GetParam(), c);
}

TEST_P(ConvTest, FloatStridesAndAsymmetricPadsWithoutBias) {
  ConvCase c;
  c.window = {{2, 3, 6, 7}, {3, 2}, {2, 3}, {1, 1}, {1, 0, 2, 1}};
  c.filters = 4;
  c.bias = false;
  ExpectFloatConvMatchesDefinition(GetParam(), c);
}

TEST_P(ConvTest, FloatDilations) {
  ConvCase c;
  c.window = {{1, 2, 7, 8}, {3, 3}, {1, 2}, {2, 3}, {2, 1, 0, 3}};
  c.filters = 2;
  ExpectFloatConvMatchesDefinition(GetParam(), c);
}

TEST_P(ConvTest, FloatGrouped) {
  ConvCase c;
  c.window = {{1, 4, 5, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}};
  c.filters = 6;
  c.group = 2;
  ExpectFloatConvMatchesDefinition(GetParam(), c);
}

TEST_P(ConvTest, FloatDepthwise) {
  ConvCase c;
  c.window = {{2, 3, 6, 6}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}};
  c.filters = 3;
  c.group = 3;
  ExpectFloatConvMatchesDefinition(GetParam(), c);
}

TEST_P(ConvTest, FloatDepthwiseWithChannelMultiplier) {
  ConvCase c;
  c.window = {{1, 3, 5, 4}, {2, 3}, {1, 1}, {1, 1}, {0, 1, 1, 0}};
  c.filters = 6;
  c.group = 3;
  ExpectFloatConvMatchesDefinition(GetParam(), c);
}

TEST_P(ConvTest, Float1D) {
  ConvCase c;
  c.window = {{2, 3, 10}, {3}, {2}, {2}, {1, 2}};
  c.filters = 4;
  ExpectFloatConvMatchesDefinition(GetParam(), c);
}

TEST_P(ConvTest, Float3D) {
  ConvCase c;
  c.window = {{1, 2, 4, 5, 3}, {2, 3, 2}, {1, 2, 1}, {1, 1, 2}, {0, 1, 1, 1, 0, 1}};
  c.filters = 3;
  ExpectFloatConvMatchesDefinition(GetParam(), c);
}

TEST_P(ConvTest, FloatFusedRelu) {
  ConvCase c;
  c.window = {{1, 3, 5, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}};
  c.filters = 4;
  c.activation = ActivationType::Relu;
  ExpectFloatConvMatchesDefinition(GetParam(), c);
}

TEST_P(ConvTest, FloatFusedClip) {
  ConvCase c;
  c.window = {{1, 3, 5, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}};
  c.filters = 4;
  c.activation = ActivationType::Clip;
  c.clip_min = -0.3f;
  c.clip_max = 0.4f;
  ExpectFloatConvMatchesDefinition(GetParam(), c);
}

// A quantized Conv: X, W (per channel when w_scales has one scale per filter), int32 bias on
// scale x_scale * w_scale, and Y quantized with y_scale / y_zero_point.
template <typename X, typename W>
struct QuantizedConvCase {
  ConvCase conv;
  float x_scale = 0.05f;
  int32_t x_zero_point = 0;
  std::vector<float> w_scales;
  std::vector<int32_t> w_zero_points;
  float y_scale = 0.1f;
  int32_t y_zero_point = 0;

  float WeightScale(int32_t m) const { return w_scales[w_scales.size() == 1 ? 0 : m]; }
  int32_t WeightZeroPoint(int32_t m) const {
    return w_zero_points[w_zero_points.size() == 1 ? 0 : m];
  }

  // Runs the case on pseudo-random data and checks it against the double-precision ideal;
  // `exact_ties` when the multipliers are powers of two.
  void Check(KernelSet kernels, int32_t low, int32_t high, bool exact_ties = false) const {
    const int32_t x_min = std::is_same_v<X, int8_t> ? -128 : 0;
    const int32_t w_min = std::is_same_v<W, int8_t> ? -128 : 0;
    const std::vector<X> x = RandomInts<X>(ElementCount(conv.window.input), 4, x_min, x_min + 255);
    const std::vector<W> w = RandomInts<W>(ElementCount(conv.WeightShape()), 5, w_min, w_min + 255);
    const std::vector<int32_t> b =
        conv.bias ? RandomInts<int32_t>(conv.filters, 6, -2000, 2000) : std::vector<int32_t>();
    TensorDef w_tensor = Constant(Values("w", conv.WeightShape(), w));
    w_tensor.quant = {w_scales, w_zero_points, 0};
    std::vector<TensorDef> inputs = {
        Quantized(Values("x", conv.window.input, x), x_scale, x_zero_point), w_tensor};
    if (conv.bias) {
      std::vector<float> b_scales;
      for (float s : w_scales) b_scales.push_back(x_scale * s);
      inputs.push_back(QuantizedPerAxis(Constant(Values("b", {conv.filters}, b)), b_scales,
                                        std::vector<int32_t>(b_scales.size(), 0), 0));
    }
    SingleOpGraph op(
        OpType::Conv, inputs,
        {Quantized(Spec("y", DTypeOf<X>(), conv.OutputShape()), y_scale, y_zero_point)},
        conv.Options());
    const TensorDef y = RunOk(op, kernels);

    // Centered weights: each filter minus its own zero point.
    std::vector<double> w_centered = ToDoubles(w);
    const int64_t filter_size = ElementCount(conv.WeightShape()) / conv.filters;
    for (int64_t i = 0; i < ElementCount(conv.WeightShape()); ++i)
      w_centered[i] -= WeightZeroPoint(static_cast<int32_t>(i / filter_size));
    const std::vector<double> accumulators = NaiveConv(
        conv.window, conv.filters, conv.group, Centered(x, x_zero_point), w_centered, ToDoubles(b));
    const int64_t plane = ElementCount(conv.OutputShape()) / conv.OutputShape()[0] / conv.filters;
    std::vector<double> ideal;
    double max_multiplier = 0.0;
    for (float s : w_scales)
      max_multiplier = std::max(max_multiplier, double{x_scale} * s / y_scale);
    for (size_t i = 0; i < accumulators.size(); ++i) {
      const int32_t m = static_cast<int32_t>((i / plane) % conv.filters);
      const double real = accumulators[i] * x_scale * WeightScale(m);
      ideal.push_back(IdealQuantized(real, y_scale, y_zero_point));
    }
    ExpectQuantizedMatchesIdeal(y.Values<X>(), ideal, low, high,
                                exact_ties ? 0.0 : FixedPointTieMargin(max_multiplier));
  }
};

TEST_P(ConvTest, Int8PerChannelWithReluMatchesDoublePrecision) {
  QuantizedConvCase<int8_t, int8_t> q;
  q.conv.window = {{1, 3, 7, 6}, {3, 3}, {2, 1}, {1, 1}, {1, 0, 1, 2}};
  q.conv.filters = 4;
  q.conv.activation = ActivationType::Relu;
  q.x_scale = 0.05f;
  q.x_zero_point = -3;
  q.w_scales = {0.011f, 0.023f, 0.0052f, 0.017f};
  q.w_zero_points = {0, 0, 0, 0};
  q.y_scale = 0.37f;
  q.y_zero_point = 5;
  // Relu clamps at the output zero point.
  q.Check(GetParam(), 5, 127);
}

TEST_P(ConvTest, Int8DepthwisePerChannelMatchesDoublePrecision) {
  QuantizedConvCase<int8_t, int8_t> q;
  q.conv.window = {{2, 4, 6, 6}, {3, 3}, {1, 2}, {1, 1}, {1, 1, 1, 1}};
  q.conv.filters = 4;
  q.conv.group = 4;
  q.x_scale = 0.02f;
  q.x_zero_point = 10;
  q.w_scales = {0.01f, 0.02f, 0.03f, 0.04f};
  q.w_zero_points = {0, 0, 0, 0};
  q.y_scale = 0.05f;
  q.y_zero_point = -7;
  q.Check(GetParam(), -128, 127);
}

TEST_P(ConvTest, Uint8WeightsWithZeroPointAndClipMatchDoublePrecision) {
  QuantizedConvCase<uint8_t, uint8_t> q;
  q.conv.window = {{1, 2, 6, 5}, {2, 3}, {1, 1}, {2, 1}, {0, 1, 1, 1}};
  q.conv.filters = 3;
  q.conv.activation = ActivationType::Clip;
  q.conv.clip_min = -1.0f;
  q.conv.clip_max = 6.0f;
  q.x_scale = 0.04f;
  q.x_zero_point = 128;
  q.w_scales = {0.015f};
  q.w_zero_points = {120};
  q.y_scale = 0.06f;
  q.y_zero_point = 30;
  // Clip [-1, 6] on scale 0.06, zero point 30: round(-16.67) + 30 = 13, round(100) + 30 = 130.
  q.Check(GetParam(), 13, 130);
}

TEST_P(ConvTest, Uint8PerChannelZeroPointsMatchDoublePrecision) {
  QuantizedConvCase<uint8_t, uint8_t> q;
  q.conv.window = {{1, 3, 5, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}};
  q.conv.filters = 2;
  q.conv.bias = false;
  q.x_zero_point = 100;
  q.w_scales = {0.02f, 0.007f};
  q.w_zero_points = {128, 77};
  q.y_scale = 0.5f;
  q.y_zero_point = 128;
  q.Check(GetParam(), 0, 255);
}

TEST_P(ConvTest, Int8Conv1DWithUint8Weights) {
  QuantizedConvCase<int8_t, uint8_t> q;
  q.conv.window = {{2, 2, 9}, {3}, {2}, {1}, {1, 1}};
  q.conv.filters = 3;
  q.x_zero_point = -1;
  q.w_scales = {0.01f};
  q.w_zero_points = {128};
  q.y_scale = 0.08f;
  q.y_zero_point = 0;
  q.Check(GetParam(), -128, 127);
}

TEST_P(ConvTest, PowerOfTwoScalesRoundTiesAwayFromZeroExactly) {
  // x_scale * w_scale / y_scale = 2^-4: the fixed-point multiplier is exact, so every output,
  // ties included, must equal the ideal rounded half away from zero.
  QuantizedConvCase<int8_t, int8_t> q;
  q.conv.window = {{1, 2, 4, 4}, {2, 2}, {1, 1}, {1, 1}, {0, 0, 0, 0}};
  q.conv.filters = 2;
  q.x_scale = 0.25f;
  q.w_scales = {0.125f, 0.125f};
  q.w_zero_points = {0, 0};
  q.y_scale = 0.5f;
  q.Check(GetParam(), -128, 127, /*exact_ties=*/true);
  // Hand-worked ties: 8 * 1 / 16 = 0.5 rounds to 1, -8 * 1 / 16 = -0.5 to -1.
  SingleOpGraph op(
      OpType::Conv,
      {Quantized(Values<int8_t>("x", {1, 1, 1, 2}, {8, -8}), 0.25f, 0),
       QuantizedPerAxis(Constant(Values<int8_t>("w", {1, 1, 1, 1}, {1})), {0.125f}, {0}, 0)},
      {Quantized(Spec("y", DType::kInt8, {1, 1, 1, 2}), 0.5f, 0)}, ConvCase().Options());
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{1, -1}));
}

TEST_P(ConvTest, RejectsInt32Input) {
  SingleOpGraph op(OpType::Conv,
                   {Values<int32_t>("x", {1, 1, 3, 3}, std::vector<int32_t>(9, 1)),
                    Constant(Values<int32_t>("w", {1, 1, 2, 2}, {1, 1, 1, 1}))},
                   {Spec("y", DType::kInt32, {1, 1, 2, 2})}, ConvCase().Options());
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'op'"), nullptr) << status.message();
}

TEST_P(ConvTest, RejectsWrongOutputSize) {
  SingleOpGraph op(OpType::Conv,
                   {Values<float>("x", {1, 1, 3, 3}, std::vector<float>(9, 1.0f)),
                    Constant(Values<float>("w", {1, 1, 2, 2}, {1, 1, 1, 1}))},
                   {Spec("y", DType::kFloat32, {1, 1, 3, 3})}, ConvCase().Options());
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'y'"), nullptr) << status.message();
}

TEST_P(ConvTest, RejectsChannelsThatDoNotMatchTheGroup) {
  ConvCase c;
  c.group = 2;
  SingleOpGraph op(OpType::Conv,
                   {Values<float>("x", {1, 3, 3, 3}, std::vector<float>(27, 1.0f)),
                    Constant(Values<float>("w", {2, 1, 2, 2}, std::vector<float>(8, 1.0f)))},
                   {Spec("y", DType::kFloat32, {1, 2, 2, 2})}, c.Options());
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TEST_P(ConvTest, RejectsPerChannelScalesOfTheWrongCount) {
  TensorDef w = Constant(Values<int8_t>("w", {3, 1, 1, 1}, {1, 2, 3}));
  w.quant = {{0.1f, 0.2f}, {0, 0}, 0};
  SingleOpGraph op(
      OpType::Conv, {Quantized(Values<int8_t>("x", {1, 1, 2, 2}, {1, 2, 3, 4}), 0.1f, 0), w},
      {Quantized(Spec("y", DType::kInt8, {1, 3, 2, 2}), 0.1f, 0)}, ConvCase().Options());
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'w'"), nullptr) << status.message();
}

TEST_P(ConvTest, RejectsQuantizedInputWithFloatWeights) {
  SingleOpGraph op(OpType::Conv,
                   {Quantized(Values<int8_t>("x", {1, 1, 2, 2}, {1, 2, 3, 4}), 0.1f, 0),
                    Constant(Values<float>("w", {1, 1, 1, 1}, {1.0f}))},
                   {Quantized(Spec("y", DType::kInt8, {1, 1, 2, 2}), 0.1f, 0)},
                   ConvCase().Options());
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(ConvTest);

}  // namespace
}  // namespace tinymlops::kernel_test

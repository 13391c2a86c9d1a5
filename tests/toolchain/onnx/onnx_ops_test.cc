// Each supported ONNX op, with its attribute and opset variants: imported, run with the
// reference kernels, and compared to values computed by hand or by a plain loop.
#include <gtest/gtest.h>

#include <cmath>

#include "toolchain/onnx/onnx_importer.h"
#include "toolchain/onnx/onnx_model_builder.h"
#include "toolchain/onnx/reference_conv.h"

namespace tinymlops::toolchain {
namespace {

using testing::ExpectNear;
using testing::ImportOrDie;
using testing::MakeTensor;
using testing::OnnxModelBuilder;
using testing::OpTypes;
using testing::Ramp;
using testing::RunGraph;
using testing::SetFloat;
using testing::SetInt;
using testing::SetInts;
using testing::SetString;

using Shape = std::vector<int32_t>;

// Imports `builder`, runs it on float input "x" and returns output 0 (checking its shape).
std::vector<float> RunSingle(const OnnxModelBuilder& builder, const Shape& x_shape,
                             const std::vector<float>& x, const Shape& expected_shape) {
  Graph graph = ImportOrDie(builder.Bytes());
  if (graph.outputs.empty()) return {};
  EXPECT_EQ(graph.tensors[graph.outputs[0]].shape, expected_shape);
  auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", x_shape, x)}});
  return outputs.empty() ? std::vector<float>() : outputs[0].Values<float>();
}

// ---- Conv

TEST(OnnxConvTest, PadsStridesAndBiasMatchTheDefinition) {
  testing::Conv2dParams p{1, 2, 5, 5, 3, 3, 3};
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  const auto x = Ramp(50, 0.1f, -2.0f), w = Ramp(54, 0.05f, -1.0f);
  const std::vector<float> b = {0.5f, -0.25f, 1.0f};
  OnnxModelBuilder builder;
  builder.Input("x", {1, 2, 5, 5}).Output("y");
  builder.Initializer<float>("w", {3, 2, 3, 3}, w).Initializer<float>("b", {3}, b);
  auto& conv = builder.Node("Conv", {"x", "w", "b"}, {"y"});
  SetInts(conv, "pads", {1, 1, 1, 1});
  SetInts(conv, "strides", {2, 2});
  SetInts(conv, "kernel_shape", {3, 3});
  ExpectNear(RunSingle(builder, {1, 2, 5, 5}, x, {1, 3, 3, 3}), ReferenceConv2d(p, x, w, b), 1e-4f);
}

TEST(OnnxConvTest, GroupedAndDilated) {
  testing::Conv2dParams p{1, 4, 6, 6, 4, 2, 2};
  p.group = 2;
  p.dilation_h = p.dilation_w = 2;
  const auto x = Ramp(144, 0.01f), w = Ramp(32, 0.1f, -1.5f);
  OnnxModelBuilder builder;
  builder.Input("x", {1, 4, 6, 6}).Output("y");
  builder.Initializer<float>("w", {4, 2, 2, 2}, w);
  auto& conv = builder.Node("Conv", {"x", "w"}, {"y"});
  SetInt(conv, "group", 2);
  SetInts(conv, "dilations", {2, 2});
  ExpectNear(RunSingle(builder, {1, 4, 6, 6}, x, {1, 4, 4, 4}), ReferenceConv2d(p, x, w, {}),
             1e-4f);
}

// SAME_UPPER puts the odd padding at the end, SAME_LOWER at the beginning.
TEST(OnnxConvTest, AutoPadSameUpperAndLower) {
  const auto x = Ramp(16), w = std::vector<float>{1, 2, 3, 4};
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    SCOPED_TRACE(mode);
    OnnxModelBuilder builder;
    builder.Input("x", {1, 1, 4, 4}).Output("y");
    builder.Initializer<float>("w", {1, 1, 2, 2}, w);
    SetString(builder.Node("Conv", {"x", "w"}, {"y"}), "auto_pad", mode);
    testing::Conv2dParams p{1, 1, 4, 4, 1, 2, 2};
    if (std::string(mode) == "SAME_UPPER") p.pad_bottom = p.pad_right = 1;
    if (std::string(mode) == "SAME_LOWER") p.pad_top = p.pad_left = 1;
    const Shape shape = std::string(mode) == "VALID" ? Shape{1, 1, 3, 3} : Shape{1, 1, 4, 4};
    ExpectNear(RunSingle(builder, {1, 1, 4, 4}, x, shape), ReferenceConv2d(p, x, w, {}));
  }
}

TEST(OnnxConvTest, WeightThatDoesNotMatchTheGroupIsAnError) {
  OnnxModelBuilder builder;
  builder.Input("x", {1, 3, 4, 4}).Output("y");
  builder.Initializer<float>("w", {2, 2, 1, 1}, std::vector<float>(4, 1.0f));
  builder.Node("Conv", {"x", "w"}, {"y"}, "bad_conv");
  Result<Graph> graph = ImportOnnx(builder.Bytes(), {});
  ASSERT_FALSE(graph.ok());
  EXPECT_NE(std::string(graph.status().message()).find("bad_conv"), std::string::npos);
}

// ---- Gemm, MatMul

TEST(OnnxGemmTest, TransposesAlphaBetaAndBroadcastC) {
  // A [3, 2] transposed -> [2, 3]; B [4, 3] transposed -> [3, 4]; C [4] broadcast.
  const auto a = Ramp(6, 1.0f, -2.0f), b = Ramp(12, 0.5f, -3.0f);
  const std::vector<float> c = {1, 2, 3, 4};
  OnnxModelBuilder builder;
  builder.Input("x", {3, 2}).Output("y");
  builder.Initializer<float>("b", {4, 3}, b).Initializer<float>("c", {4}, c);
  auto& gemm = builder.Node("Gemm", {"x", "b", "c"}, {"y"});
  SetInt(gemm, "transA", 1);
  SetInt(gemm, "transB", 1);
  SetFloat(gemm, "alpha", 0.5f);
  SetFloat(gemm, "beta", 2.0f);
  std::vector<float> expected(8);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) {
      float sum = 0;
      for (int k = 0; k < 3; ++k) sum += a[k * 2 + i] * b[j * 3 + k];
      expected[i * 4 + j] = 0.5f * sum + 2.0f * c[j];
    }
  ExpectNear(RunSingle(builder, {3, 2}, a, {2, 4}), expected, 1e-4f);
}

TEST(OnnxGemmTest, CThatDoesNotBroadcastIsAnError) {
  OnnxModelBuilder builder;
  builder.Input("x", {2, 3}).Output("y");
  builder.Initializer<float>("b", {3, 4}, std::vector<float>(12, 1.0f));
  builder.Initializer<float>("c", {3}, {1, 2, 3});
  builder.Node("Gemm", {"x", "b", "c"}, {"y"});
  EXPECT_FALSE(ImportOnnx(builder.Bytes(), {}).ok());
}

TEST(OnnxMatMulTest, BatchedTimesMatrix) {
  const auto a = Ramp(12, 0.5f), b = Ramp(6, 1.0f, -2.0f);
  OnnxModelBuilder builder;
  builder.Input("x", {2, 2, 3}).Output("y");
  builder.Initializer<float>("b", {3, 2}, b);
  builder.Node("MatMul", {"x", "b"}, {"y"});
  std::vector<float> expected(8);
  for (int r = 0; r < 4; ++r)
    for (int j = 0; j < 2; ++j) {
      float sum = 0;
      for (int k = 0; k < 3; ++k) sum += a[r * 3 + k] * b[k * 2 + j];
      expected[r * 2 + j] = sum;
    }
  ExpectNear(RunSingle(builder, {2, 2, 3}, a, {2, 2, 2}), expected, 1e-4f);
}

// ---- element-wise

TEST(OnnxElementwiseTest, AddSubMulBroadcast) {
  const auto x = Ramp(6, 1.0f, -3.0f);
  const std::vector<float> row = {10, 20, 30};
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    SCOPED_TRACE(op);
    OnnxModelBuilder builder;
    builder.Input("x", {2, 3}).Output("y");
    builder.Initializer<float>("row", {3}, row);
    builder.Node(op, {"x", "row"}, {"y"});
    std::vector<float> expected(6);
    for (int i = 0; i < 6; ++i) {
      const float r = row[i % 3];
      const std::string name = op;
      expected[i] = name == "Add"   ? x[i] + r
                    : name == "Sub" ? x[i] - r
                    : name == "Mul" ? x[i] * r
                                    : x[i] / r;
    }
    ExpectNear(RunSingle(builder, {2, 3}, x, {2, 3}), expected);
  }
}

TEST(OnnxElementwiseTest, DivByAnActivationIsUnsupported) {
  OnnxModelBuilder builder;
  builder.Input("x", {2}).Input("z", {2}).Output("y");
  builder.Node("Div", {"x", "z"}, {"y"}, "divide");
  Result<Graph> graph = ImportOnnx(builder.Bytes(), {});
  ASSERT_FALSE(graph.ok());
  EXPECT_NE(std::string(graph.status().message()).find("divide"), std::string::npos);
}

TEST(OnnxElementwiseTest, ReluSigmoidTanh) {
  const std::vector<float> x = {-2, -0.5f, 0, 0.5f, 2};
  for (const char* op : {"Relu", "Sigmoid", "Tanh"}) {
    SCOPED_TRACE(op);
    OnnxModelBuilder builder;
    builder.Input("x", {5}).Output("y");
    builder.Node(op, {"x"}, {"y"});
    std::vector<float> expected;
    for (float v : x) {
      const std::string name = op;
      expected.push_back(name == "Relu"      ? std::max(v, 0.0f)
                         : name == "Sigmoid" ? 1.0f / (1.0f + std::exp(-v))
                                             : std::tanh(v));
    }
    ExpectNear(RunSingle(builder, {5}, x, {5}), expected, 1e-5f);
  }
}

// ---- Clip: min and max are optional inputs since opset 11.

TEST(OnnxClipTest, OptionalMinMaxInputs) {
  const std::vector<float> x = {-3, -1, 0, 1, 3};
  {
    OnnxModelBuilder builder(11);
    builder.Input("x", {5}).Output("y");
    builder.Initializer<float>("max", {}, {1.5f});
    builder.Node("Clip", {"x", "", "max"}, {"y"});
    ExpectNear(RunSingle(builder, {5}, x, {5}), {-3, -1, 0, 1, 1.5f});
  }
  {
    OnnxModelBuilder builder(13);
    builder.Input("x", {5}).Output("y");
    builder.Initializer<float>("min", {}, {-0.5f}).Initializer<float>("max", {}, {2.0f});
    builder.Node("Clip", {"x", "min", "max"}, {"y"});
    ExpectNear(RunSingle(builder, {5}, x, {5}), {-0.5f, -0.5f, 0, 1, 2});
  }
  {
    OnnxModelBuilder builder(12);
    builder.Input("x", {5}).Output("y");
    builder.Node("Clip", {"x"}, {"y"});
    ExpectNear(RunSingle(builder, {5}, x, {5}), x);
  }
}

TEST(OnnxClipTest, MinFromAGraphInputMustBeBound) {
  OnnxModelBuilder builder(13);
  builder.Input("x", {3}).Input("min", {}).Output("y");
  builder.Node("Clip", {"x", "min"}, {"y"});
  EXPECT_FALSE(ImportOnnx(builder.Bytes(), {}).ok());
  OnnxImportOptions options;
  options.constant_inputs["min"] = MakeTensor<float>("min", {}, {0.5f});
  Graph graph = ImportOrDie(builder.Bytes(), options);
  auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {3}, {0, 1, 2})}});
  ASSERT_EQ(outputs.size(), 1u);
  ExpectNear(outputs[0].Values<float>(), {0.5f, 1, 2});
}

// ---- pools

TEST(OnnxPoolTest, MaxPoolCeilModeAndPads) {
  const auto x = Ramp(16);  // 4x4: 0..15
  {
    OnnxModelBuilder builder(12);
    builder.Input("x", {1, 1, 4, 4}).Output("y");
    auto& pool = builder.Node("MaxPool", {"x"}, {"y"});
    SetInts(pool, "kernel_shape", {3, 3});
    SetInts(pool, "strides", {2, 2});
    SetInt(pool, "ceil_mode", 1);
    // Windows rows/cols {0..2} and {2..3} (cut off at the edge).
    ExpectNear(RunSingle(builder, {1, 1, 4, 4}, x, {1, 1, 2, 2}), {10, 11, 14, 15});
  }
  {
    OnnxModelBuilder builder(12);
    builder.Input("x", {1, 1, 4, 4}).Output("y");
    auto& pool = builder.Node("MaxPool", {"x"}, {"y"});
    SetInts(pool, "kernel_shape", {2, 2});
    SetInts(pool, "strides", {2, 2});
    SetInts(pool, "pads", {1, 1, 1, 1});
    SetInt(pool, "storage_order", 1);  // ignored: only the values are produced
    ExpectNear(RunSingle(builder, {1, 1, 4, 4}, x, {1, 1, 3, 3}), {0, 2, 3, 8, 10, 11, 12, 14, 15});
  }
}

TEST(OnnxPoolTest, MaxPoolIndicesOutputIsUnsupported) {
  OnnxModelBuilder builder;
  builder.Input("x", {1, 1, 4, 4}).Output("y");
  auto& pool = builder.Node("MaxPool", {"x"}, {"y", "indices"}, "pool_with_indices");
  SetInts(pool, "kernel_shape", {2, 2});
  Result<Graph> graph = ImportOnnx(builder.Bytes(), {});
  ASSERT_FALSE(graph.ok());
  EXPECT_NE(std::string(graph.status().message()).find("Indices"), std::string::npos);
}

TEST(OnnxPoolTest, AveragePoolCountIncludePad) {
  const std::vector<float> x = {1, 2, 3, 4};  // 2x2
  for (int include : {0, 1}) {
    SCOPED_TRACE(include);
    OnnxModelBuilder builder(11);
    builder.Input("x", {1, 1, 2, 2}).Output("y");
    auto& pool = builder.Node("AveragePool", {"x"}, {"y"});
    SetInts(pool, "kernel_shape", {2, 2});
    SetInts(pool, "pads", {1, 1, 0, 0});
    SetInt(pool, "count_include_pad", include);
    // Output 2x2; window (i, j) covers rows i-1..i, cols j-1..j.
    const std::vector<float> sums = {1, 3, 4, 10};
    const std::vector<float> counts = {1, 2, 2, 4};
    std::vector<float> expected;
    for (int i = 0; i < 4; ++i) expected.push_back(sums[i] / (include ? 4.0f : counts[i]));
    ExpectNear(RunSingle(builder, {1, 1, 2, 2}, x, {1, 1, 2, 2}), expected);
  }
}

TEST(OnnxPoolTest, GlobalAveragePool) {
  OnnxModelBuilder builder;
  builder.Input("x", {1, 2, 2, 2}).Output("y");
  builder.Node("GlobalAveragePool", {"x"}, {"y"});
  ExpectNear(RunSingle(builder, {1, 2, 2, 2}, Ramp(8), {1, 2, 1, 1}), {1.5f, 5.5f});
}

// ---- Softmax: opset < 13 coerces to 2-D at axis; opset 13 normalizes along axis only.

TEST(OnnxSoftmaxTest, AxisSemanticsBeforeAndAfterOpset13) {
  const auto x = Ramp(8, 0.5f);  // [2, 2, 2]
  auto softmax = [](const std::vector<float>& values) {
    double total = 0;
    for (float v : values) total += std::exp(v);
    std::vector<float> result;
    for (float v : values) result.push_back(static_cast<float>(std::exp(v) / total));
    return result;
  };
  {
    OnnxModelBuilder builder(11);
    builder.Input("x", {2, 2, 2}).Output("y");
    builder.Node("Softmax", {"x"}, {"y"});  // axis 1: blocks of 4
    std::vector<float> expected = softmax({x.begin(), x.begin() + 4});
    const auto second = softmax({x.begin() + 4, x.end()});
    expected.insert(expected.end(), second.begin(), second.end());
    ExpectNear(RunSingle(builder, {2, 2, 2}, x, {2, 2, 2}), expected);
  }
  {
    OnnxModelBuilder builder(13);
    builder.Input("x", {2, 2, 2}).Output("y");
    SetInt(builder.Node("Softmax", {"x"}, {"y"}), "axis", 1);  // along axis 1 only
    std::vector<float> expected(8);
    for (int n = 0; n < 2; ++n)
      for (int k = 0; k < 2; ++k) {
        const auto pair = softmax({x[n * 4 + k], x[n * 4 + 2 + k]});
        expected[n * 4 + k] = pair[0];
        expected[n * 4 + 2 + k] = pair[1];
      }
    ExpectNear(RunSingle(builder, {2, 2, 2}, x, {2, 2, 2}), expected);
  }
}

// ---- layout ops

TEST(OnnxLayoutTest, ReshapeZeroCopiesAndMinusOneInfers) {
  OnnxModelBuilder builder(13);
  builder.Input("x", {2, 3, 4}).Output("y");
  builder.Initializer<int64_t>("shape", {2}, {0, -1});
  builder.Node("Reshape", {"x", "shape"}, {"y"});
  ExpectNear(RunSingle(builder, {2, 3, 4}, Ramp(24), {2, 12}), Ramp(24));
}

TEST(OnnxLayoutTest, ReshapeAllowZeroKeepsZeroLiteral) {
  OnnxModelBuilder builder(14);
  builder.Input("x", {2, 3}).Output("y");
  builder.Initializer<int64_t>("shape", {2}, {0, 6});
  SetInt(builder.Node("Reshape", {"x", "shape"}, {"y"}, "literal_zero"), "allowzero", 1);
  Result<Graph> graph = ImportOnnx(builder.Bytes(), {});
  EXPECT_FALSE(graph.ok());  // [0, 6] holds 0 elements, the input 6
}

TEST(OnnxLayoutTest, FlattenAxes) {
  for (int64_t axis : {0, 2, -1}) {
    SCOPED_TRACE(axis);
    OnnxModelBuilder builder(13);
    builder.Input("x", {2, 3, 4}).Output("y");
    SetInt(builder.Node("Flatten", {"x"}, {"y"}), "axis", axis);
    const Shape shape = axis == 0 ? Shape{1, 24} : Shape{6, 4};
    Graph graph = ImportOrDie(builder.Bytes());
    EXPECT_EQ(OpTypes(graph), (std::vector<tmm::OpType>{tmm::OpType::Reshape}));
    ExpectNear(RunSingle(builder, {2, 3, 4}, Ramp(24), shape), Ramp(24));
  }
}

TEST(OnnxLayoutTest, TransposeWithPermAndDefault) {
  const auto x = Ramp(6);  // [2, 3]
  {
    OnnxModelBuilder builder;
    builder.Input("x", {2, 3}).Output("y");
    builder.Node("Transpose", {"x"}, {"y"});
    ExpectNear(RunSingle(builder, {2, 3}, x, {3, 2}), {0, 3, 1, 4, 2, 5});
  }
  {
    OnnxModelBuilder builder;
    builder.Input("x", {1, 2, 3}).Output("y");
    SetInts(builder.Node("Transpose", {"x"}, {"y"}), "perm", {2, 0, 1});
    ExpectNear(RunSingle(builder, {1, 2, 3}, x, {3, 1, 2}), {0, 3, 1, 4, 2, 5});
  }
}

TEST(OnnxLayoutTest, ConcatNegativeAxis) {
  OnnxModelBuilder builder;
  builder.Input("x", {2, 2}).Output("y");
  builder.Initializer<float>("k", {2, 1}, {9, 8});
  SetInt(builder.Node("Concat", {"x", "k"}, {"y"}), "axis", -1);
  ExpectNear(RunSingle(builder, {2, 2}, {1, 2, 3, 4}, {2, 3}), {1, 2, 9, 3, 4, 8});
}

TEST(OnnxLayoutTest, PadModes) {
  const std::vector<float> x = {1, 2, 3};  // [1, 3]
  struct Case {
    const char* mode;
    std::vector<float> expected;
  };
  for (const Case& c : {Case{"constant", {7, 1, 2, 3, 7, 7}}, Case{"reflect", {2, 1, 2, 3, 2, 1}},
                        Case{"edge", {1, 1, 2, 3, 3, 3}}}) {
    SCOPED_TRACE(c.mode);
    OnnxModelBuilder builder(13);
    builder.Input("x", {1, 3}).Output("y");
    builder.Initializer<int64_t>("pads", {4}, {0, 1, 0, 2});
    builder.Initializer<float>("value", {}, {7});
    SetString(builder.Node("Pad", {"x", "pads", "value"}, {"y"}), "mode", c.mode);
    ExpectNear(RunSingle(builder, {1, 3}, x, {1, 6}), c.expected);
  }
}

TEST(OnnxLayoutTest, PadsFromAGraphInputMustBeBound) {
  OnnxModelBuilder builder(13);
  builder.Input("x", {1, 3}).Input("pads", {4}, onnx::TensorProto::INT64).Output("y");
  builder.Node("Pad", {"x", "pads"}, {"y"}, "pad_node");
  Result<Graph> graph = ImportOnnx(builder.Bytes(), {});
  ASSERT_FALSE(graph.ok());
  EXPECT_NE(std::string(graph.status().message()).find("'pads'"), std::string::npos);
}

// ---- BatchNormalization without a producer to fold into: a per-channel scale and shift.

TEST(OnnxBatchNormTest, LoweredToScaleAndShift) {
  const std::vector<float> scale = {1, 2}, bias = {0.5f, -1}, mean = {1, -1}, var = {4, 0.25f};
  OnnxModelBuilder builder(15);
  builder.Input("x", {1, 2, 2}).Output("y");
  builder.Initializer<float>("s", {2}, scale).Initializer<float>("b", {2}, bias);
  builder.Initializer<float>("m", {2}, mean).Initializer<float>("v", {2}, var);
  SetFloat(builder.Node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y"}), "epsilon", 0);
  const auto x = Ramp(4);
  std::vector<float> expected;
  for (int i = 0; i < 4; ++i) {
    const int c = i / 2;
    expected.push_back((x[i] - mean[c]) / std::sqrt(var[c]) * scale[c] + bias[c]);
  }
  Graph graph = ImportOrDie(builder.Bytes());
  EXPECT_EQ(OpTypes(graph), (std::vector<tmm::OpType>{tmm::OpType::BatchNormalization}));
  ExpectNear(RunSingle(builder, {1, 2, 2}, x, {1, 2, 2}), expected);
}

TEST(OnnxBatchNormTest, TrainingModeIsRejected) {
  OnnxModelBuilder builder(15);
  builder.Input("x", {1, 1, 2}).Output("y");
  for (const char* name : {"s", "b", "m", "v"}) builder.Initializer<float>(name, {1}, {1});
  SetInt(builder.Node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y"}), "training_mode", 1);
  Result<Graph> graph = ImportOnnx(builder.Bytes(), {});
  ASSERT_FALSE(graph.ok());
  EXPECT_NE(std::string(graph.status().message()).find("training_mode"), std::string::npos);
}

}  // namespace
}  // namespace tinymlops::toolchain

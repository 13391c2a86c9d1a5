// The graph passes the importer runs, observed through imported models: BatchNorm folding,
// activation fusion, QDQ fusion and the quantized QLinear ops. Folded graphs must compute what
// the unfolded ones do.
#include <gtest/gtest.h>

#include <algorithm>
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
using testing::SetInt;
using testing::SetInts;
using OpTypeList = std::vector<tmm::OpType>;

const std::vector<float> kBnScale = {1.5f, -0.5f}, kBnBias = {0.25f, 1.0f}, kBnMean = {0.5f, -2.0f},
                         kBnVar = {0.25f, 4.0f};
constexpr float kBnEpsilon = 1e-5f;

void AddBatchNorm(OnnxModelBuilder& builder, const std::string& input, const std::string& output) {
  builder.Initializer<float>("bn_s", {2}, kBnScale).Initializer<float>("bn_b", {2}, kBnBias);
  builder.Initializer<float>("bn_m", {2}, kBnMean).Initializer<float>("bn_v", {2}, kBnVar);
  builder.Node("BatchNormalization", {input, "bn_s", "bn_b", "bn_m", "bn_v"}, {output});
}

// BatchNormalization by its ONNX definition on channel axis 1 of a [N, 2, ...] tensor.
std::vector<float> ReferenceBatchNorm(const std::vector<float>& x, int inner) {
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const int c = static_cast<int>(i / inner) % 2;
    y[i] = (x[i] - kBnMean[c]) / std::sqrt(kBnVar[c] + kBnEpsilon) * kBnScale[c] + kBnBias[c];
  }
  return y;
}

TEST(BatchNormFoldingTest, ConvBatchNormFoldsAndMatchesTheUnfoldedGraph) {
  testing::Conv2dParams p{1, 1, 4, 4, 2, 3, 3};
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  const auto x = Ramp(16, 0.25f, -1.0f), w = Ramp(18, 0.1f, -0.9f);
  const std::vector<float> expected = ReferenceBatchNorm(ReferenceConv2d(p, x, w, {}), 16);
  for (bool conv_is_output : {false, true}) {
    SCOPED_TRACE(conv_is_output ? "unfolded" : "folded");
    OnnxModelBuilder builder;
    builder.Input("x", {1, 1, 4, 4}).Output("y");
    if (conv_is_output) builder.Output("conv");
    builder.Initializer<float>("w", {2, 1, 3, 3}, w);
    SetInts(builder.Node("Conv", {"x", "w"}, {"conv"}), "pads", {1, 1, 1, 1});
    AddBatchNorm(builder, "conv", "y");
    Graph graph = ImportOrDie(builder.Bytes());
    const OpTypeList expected_ops =
        conv_is_output ? OpTypeList{tmm::OpType::Conv, tmm::OpType::BatchNormalization}
                       : OpTypeList{tmm::OpType::Conv};
    EXPECT_EQ(OpTypes(graph), expected_ops);
    auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {1, 1, 4, 4}, x)}});
    ASSERT_FALSE(outputs.empty());
    ExpectNear(outputs[0].Values<float>(), expected, 1e-4f);
  }
}

TEST(BatchNormFoldingTest, GemmAndMatMulFoldIntoOneGemm) {
  const auto x = Ramp(6, 0.5f, -1.0f), b = Ramp(4, 0.25f, -0.5f);  // x [3, 2], B [2, 2]
  std::vector<float> product(6);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) product[i * 2 + j] = x[i * 2] * b[j] + x[i * 2 + 1] * b[2 + j];
  for (const char* op : {"Gemm", "MatMul"}) {
    SCOPED_TRACE(op);
    OnnxModelBuilder builder;
    builder.Input("x", {3, 2}).Output("y");
    builder.Initializer<float>("b", {2, 2}, b);
    builder.Node(op, {"x", "b"}, {"product"});
    AddBatchNorm(builder, "product", "y");
    Graph graph = ImportOrDie(builder.Bytes());
    EXPECT_EQ(OpTypes(graph), OpTypeList{tmm::OpType::Gemm});
    auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {3, 2}, x)}});
    ASSERT_FALSE(outputs.empty());
    ExpectNear(outputs[0].Values<float>(), ReferenceBatchNorm(product, 1), 1e-4f);
  }
}

TEST(ActivationFusionTest, ReluAndClipFuseIntoTheirProducer) {
  const auto x = Ramp(8, 1.0f, -4.0f);  // [2, 4]
  const std::vector<float> k = {1, 2, 3, 4};
  OnnxModelBuilder builder(13);
  builder.Input("x", {2, 4}).Output("relu").Output("clip");
  builder.Initializer<float>("k", {4}, k);
  builder.Initializer<float>("lo", {}, {-1}).Initializer<float>("hi", {}, {6});
  builder.Node("Add", {"x", "k"}, {"sum"});
  builder.Node("Relu", {"sum"}, {"relu"});
  builder.Node("Mul", {"x", "k"}, {"product"});
  builder.Node("Clip", {"product", "lo", "hi"}, {"clip"});
  Graph graph = ImportOrDie(builder.Bytes());
  EXPECT_EQ(OpTypes(graph), (OpTypeList{tmm::OpType::Add, tmm::OpType::Mul}));
  ASSERT_EQ(graph.ops.size(), 2u);
  const tmm::ElementwiseOptionsT* mul = graph.ops[1].options.AsElementwiseOptions();
  ASSERT_TRUE(mul && mul->activation);
  EXPECT_EQ(mul->activation->type, tmm::ActivationType::Clip);
  EXPECT_EQ(mul->activation->clip_min, -1.0f);
  EXPECT_EQ(mul->activation->clip_max, 6.0f);
  auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {2, 4}, x)}});
  ASSERT_EQ(outputs.size(), 2u);
  std::vector<float> relu, clip;
  for (int i = 0; i < 8; ++i) {
    relu.push_back(std::max(0.0f, x[i] + k[i % 4]));
    clip.push_back(std::clamp(x[i] * k[i % 4], -1.0f, 6.0f));
  }
  ExpectNear(outputs[0].Values<float>(), relu);
  ExpectNear(outputs[1].Values<float>(), clip);
}

TEST(ActivationFusionTest, ProducerWithAnotherConsumerKeepsTheRelu) {
  OnnxModelBuilder builder(13);
  builder.Input("x", {4}).Output("sum").Output("relu");
  builder.Initializer<float>("k", {4}, {1, 1, 1, 1});
  builder.Node("Add", {"x", "k"}, {"sum"});
  builder.Node("Relu", {"sum"}, {"relu"});
  Graph graph = ImportOrDie(builder.Bytes());
  EXPECT_EQ(OpTypes(graph), (OpTypeList{tmm::OpType::Add, tmm::OpType::Relu}));
}

// Quantization helpers for the expected values: ONNX QuantizeLinear (round half to even,
// saturate) and DequantizeLinear.
int32_t Quantize(float value, float scale, int32_t zero_point, int32_t lo, int32_t hi) {
  return std::clamp(static_cast<int32_t>(std::nearbyint(value / scale)) + zero_point, lo, hi);
}

TEST(QdqFusionTest, QdqConvBecomesAnInt8Conv) {
  const float x_scale = 0.05f, w_scale = 0.02f, y_scale = 0.1f;
  const int32_t y_zero_point = -10;
  const auto x = Ramp(16, 0.07f, -0.5f);
  std::vector<int8_t> w_q = {10, -20, 30, -40, 50, -60, 70, -80, 90};
  const std::vector<float> bias = {0.3f};
  OnnxModelBuilder builder(13);
  builder.Input("x", {1, 1, 4, 4}).Output("y");
  builder.Initializer<float>("x_scale", {}, {x_scale}).Initializer<int8_t>("x_zp", {}, {0});
  builder.Initializer<float>("w_scale", {}, {w_scale}).Initializer<int8_t>("w_zp", {}, {0});
  builder.Initializer<float>("y_scale", {}, {y_scale});
  builder.Initializer<int8_t>("y_zp", {}, {static_cast<int8_t>(y_zero_point)});
  builder.Initializer<int8_t>("w_q", {1, 1, 3, 3}, w_q).Initializer<float>("bias", {1}, bias);
  builder.Node("QuantizeLinear", {"x", "x_scale", "x_zp"}, {"x_q"});
  builder.Node("DequantizeLinear", {"x_q", "x_scale", "x_zp"}, {"x_dq"});
  builder.Node("DequantizeLinear", {"w_q", "w_scale", "w_zp"}, {"w_dq"});
  builder.Node("Conv", {"x_dq", "w_dq", "bias"}, {"conv"});
  builder.Node("QuantizeLinear", {"conv", "y_scale", "y_zp"}, {"y_q"});
  builder.Node("DequantizeLinear", {"y_q", "y_scale", "y_zp"}, {"y"});
  Graph graph = ImportOrDie(builder.Bytes());
  EXPECT_EQ(OpTypes(graph), (OpTypeList{tmm::OpType::QuantizeLinear, tmm::OpType::Conv,
                                        tmm::OpType::DequantizeLinear}));
  ASSERT_EQ(graph.ops.size(), 3u);
  const OpDef& conv = graph.ops[1];
  ASSERT_EQ(conv.inputs.size(), 3u);
  EXPECT_EQ(graph.tensors[conv.inputs[0]].dtype, DType::kInt8);
  EXPECT_EQ(graph.tensors[conv.inputs[1]].dtype, DType::kInt8);
  const TensorDef& bias_q = graph.tensors[conv.inputs[2]];
  EXPECT_EQ(bias_q.dtype, DType::kInt32);
  ASSERT_EQ(bias_q.quant.scale.size(), 1u);
  EXPECT_FLOAT_EQ(bias_q.quant.scale[0], x_scale * w_scale);
  EXPECT_EQ(bias_q.Values<int32_t>(), (std::vector<int32_t>{300}));  // 0.3 / 0.001
  EXPECT_EQ(graph.tensors[conv.outputs[0]].quant.zero_point, (std::vector<int32_t>{-10}));

  // Expected: the QDQ model's own float semantics, to within one output step.
  std::vector<float> x_dq, w_dq;
  for (float v : x) x_dq.push_back(Quantize(v, x_scale, 0, -128, 127) * x_scale);
  for (int8_t q : w_q) w_dq.push_back(q * w_scale);
  testing::Conv2dParams p{1, 1, 4, 4, 1, 3, 3};
  std::vector<float> expected;
  for (float v : ReferenceConv2d(p, x_dq, w_dq, bias))
    expected.push_back((Quantize(v, y_scale, y_zero_point, -128, 127) - y_zero_point) * y_scale);
  auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {1, 1, 4, 4}, x)}});
  ASSERT_FALSE(outputs.empty());
  ExpectNear(outputs[0].Values<float>(), expected, y_scale * 1.01f);
}

TEST(QLinearOpsTest, QLinearConvMapsToAQuantizedConv) {
  const std::vector<uint8_t> x_q = {100, 110, 120, 130, 140, 150, 160, 170, 180};  // [1,1,3,3]
  const std::vector<int8_t> w_q = {1, -2, 3, -4};                                  // [1,1,2,2]
  const float x_scale = 0.1f, w_scale = 0.5f, y_scale = 0.25f;
  const uint8_t x_zp = 128, y_zp = 100;
  OnnxModelBuilder builder(13);
  builder.Input("x", {1, 1, 3, 3}, onnx::TensorProto::UINT8).Output("y", onnx::TensorProto::UINT8);
  builder.Initializer<float>("xs", {}, {x_scale}).Initializer<uint8_t>("xz", {}, {x_zp});
  builder.Initializer<int8_t>("w", {1, 1, 2, 2}, w_q);
  builder.Initializer<float>("ws", {1}, {w_scale}).Initializer<int8_t>("wz", {1}, {0});
  builder.Initializer<float>("ys", {}, {y_scale}).Initializer<uint8_t>("yz", {}, {y_zp});
  builder.Initializer<int32_t>("b", {1}, {40});  // 40 * 0.05 = 2.0
  builder.Node("QLinearConv", {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"}, {"y"});
  Graph graph = ImportOrDie(builder.Bytes());
  EXPECT_EQ(OpTypes(graph), OpTypeList{tmm::OpType::Conv});
  std::vector<float> x_real, w_real;
  for (uint8_t q : x_q) x_real.push_back((q - x_zp) * x_scale);
  for (int8_t q : w_q) w_real.push_back(q * w_scale);
  testing::Conv2dParams p{1, 1, 3, 3, 1, 2, 2};
  auto outputs = RunGraph(graph, {{"x", MakeTensor<uint8_t>("x", {1, 1, 3, 3}, x_q)}});
  ASSERT_FALSE(outputs.empty());
  const std::vector<uint8_t> actual = outputs[0].Values<uint8_t>();
  const std::vector<float> real = ReferenceConv2d(p, x_real, w_real, {2.0f});
  ASSERT_EQ(actual.size(), real.size());
  for (size_t i = 0; i < real.size(); ++i)
    EXPECT_NEAR(actual[i], Quantize(real[i], y_scale, y_zp, 0, 255), 1) << "at " << i;
}

TEST(QLinearOpsTest, QLinearMatMulMapsToAQuantizedMatMul) {
  const std::vector<int8_t> a_q = {10, -20, 30, 40, 50, -60};  // [2, 3]
  const std::vector<int8_t> b_q = {1, 2, 3, 4, 5, 6};          // [3, 2]
  const float a_scale = 0.1f, b_scale = 0.2f, y_scale = 0.3f;
  OnnxModelBuilder builder(13);
  builder.Input("x", {2, 3}, onnx::TensorProto::INT8).Output("y", onnx::TensorProto::INT8);
  builder.Initializer<float>("as", {}, {a_scale}).Initializer<int8_t>("az", {}, {0});
  builder.Initializer<int8_t>("b", {3, 2}, b_q);
  builder.Initializer<float>("bs", {}, {b_scale}).Initializer<int8_t>("bz", {}, {0});
  builder.Initializer<float>("ys", {}, {y_scale}).Initializer<int8_t>("yz", {}, {5});
  builder.Node("QLinearMatMul", {"x", "as", "az", "b", "bs", "bz", "ys", "yz"}, {"y"});
  Graph graph = ImportOrDie(builder.Bytes());
  EXPECT_EQ(OpTypes(graph), OpTypeList{tmm::OpType::MatMul});
  auto outputs = RunGraph(graph, {{"x", MakeTensor<int8_t>("x", {2, 3}, a_q)}});
  ASSERT_FALSE(outputs.empty());
  const std::vector<int8_t> actual = outputs[0].Values<int8_t>();
  ASSERT_EQ(actual.size(), 4u);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      float real = 0;
      for (int k = 0; k < 3; ++k) real += a_q[i * 3 + k] * a_scale * b_q[k * 2 + j] * b_scale;
      EXPECT_NEAR(actual[i * 2 + j], Quantize(real, y_scale, 5, -128, 127), 1);
    }
}

// Inputs [1, 1, 3, 3] and weights [1, 1, 2, 2] of the mixed-dtype Conv tests: x_scale * w_scale /
// y_scale is 1, so every output is exactly its clamped accumulator plus the output zero point.
const std::vector<int8_t> kMixedWeights = {3, -2, 5, -4};
constexpr float kMixedXScale = 0.5f, kMixedWScale = 0.5f, kMixedYScale = 0.25f;

// The exact outputs of the mixed-dtype Conv for centred inputs `x` (q - zero point).
std::vector<int32_t> MixedConvOutputs(const std::vector<int32_t>& x, int32_t y_zero_point,
                                      int32_t lo, int32_t hi) {
  std::vector<int32_t> y;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      int32_t acc = 0;
      for (int ki = 0; ki < 2; ++ki)
        for (int kj = 0; kj < 2; ++kj) acc += x[(i + ki) * 3 + j + kj] * kMixedWeights[ki * 2 + kj];
      y.push_back(std::clamp(acc + y_zero_point, lo, hi));
    }
  return y;
}

TEST(MixedDTypeTest, QLinearConvFromUint8ToInt8IsExact) {
  const std::vector<uint8_t> x_q = {250, 10, 120, 130, 140, 150, 160, 170, 250};
  const uint8_t x_zp = 128;
  const int8_t y_zp = -5;
  OnnxModelBuilder builder(13);
  builder.Input("x", {1, 1, 3, 3}, onnx::TensorProto::UINT8).Output("y", onnx::TensorProto::INT8);
  builder.Initializer<float>("xs", {}, {kMixedXScale}).Initializer<uint8_t>("xz", {}, {x_zp});
  builder.Initializer<int8_t>("w", {1, 1, 2, 2}, kMixedWeights);
  builder.Initializer<float>("ws", {}, {kMixedWScale}).Initializer<int8_t>("wz", {}, {0});
  builder.Initializer<float>("ys", {}, {kMixedYScale}).Initializer<int8_t>("yz", {}, {y_zp});
  builder.Node("QLinearConv", {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz"}, {"y"});
  Graph graph = ImportOrDie(builder.Bytes());
  EXPECT_EQ(OpTypes(graph), (OpTypeList{tmm::OpType::Conv, tmm::OpType::Requantize}));
  std::vector<int32_t> centred;
  for (uint8_t q : x_q) centred.push_back(q - x_zp);
  const std::vector<int32_t> expected = MixedConvOutputs(centred, y_zp, -128, 127);
  ASSERT_EQ(expected, (std::vector<int32_t>{127, -128, -31, -128}));  // both clamps are hit
  auto outputs = RunGraph(graph, {{"x", MakeTensor<uint8_t>("x", {1, 1, 3, 3}, x_q)}});
  ASSERT_FALSE(outputs.empty());
  const std::vector<int8_t> actual = outputs[0].Values<int8_t>();
  EXPECT_EQ(std::vector<int32_t>(actual.begin(), actual.end()), expected);
}

TEST(MixedDTypeTest, QdqConvFromInt8ToUint8IsExact) {
  // Inputs are multiples of x_scale, so quantizing them is exact too.
  const std::vector<float> x = {20, -19, -4, 1, 6, 11, 16, 21, 63.5f};
  const uint8_t y_zp = 120;
  OnnxModelBuilder builder(13);
  builder.Input("x", {1, 1, 3, 3}).Output("y").Output("y_q", onnx::TensorProto::UINT8);
  builder.Initializer<float>("xs", {}, {kMixedXScale}).Initializer<int8_t>("xz", {}, {0});
  builder.Initializer<int8_t>("w", {1, 1, 2, 2}, kMixedWeights);
  builder.Initializer<float>("ws", {}, {kMixedWScale}).Initializer<int8_t>("wz", {}, {0});
  builder.Initializer<float>("ys", {}, {kMixedYScale}).Initializer<uint8_t>("yz", {}, {y_zp});
  builder.Node("QuantizeLinear", {"x", "xs", "xz"}, {"x_q"});
  builder.Node("DequantizeLinear", {"x_q", "xs", "xz"}, {"x_dq"});
  builder.Node("DequantizeLinear", {"w", "ws", "wz"}, {"w_dq"});
  builder.Node("Conv", {"x_dq", "w_dq"}, {"conv"});
  builder.Node("QuantizeLinear", {"conv", "ys", "yz"}, {"y_q"});
  builder.Node("DequantizeLinear", {"y_q", "ys", "yz"}, {"y"});
  Graph graph = ImportOrDie(builder.Bytes());
  EXPECT_EQ(OpTypes(graph), (OpTypeList{tmm::OpType::QuantizeLinear, tmm::OpType::Conv,
                                        tmm::OpType::Requantize, tmm::OpType::DequantizeLinear}));
  std::vector<int32_t> centred;
  for (float v : x) centred.push_back(static_cast<int32_t>(v / kMixedXScale));
  const std::vector<int32_t> expected = MixedConvOutputs(centred, y_zp, 0, 255);
  ASSERT_EQ(expected, (std::vector<int32_t>{255, 0, 94, 0}));  // both clamps are hit
  auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {1, 1, 3, 3}, x)}});
  ASSERT_EQ(outputs.size(), 2u);
  const std::vector<uint8_t> actual_q = outputs[1].Values<uint8_t>();
  EXPECT_EQ(std::vector<int32_t>(actual_q.begin(), actual_q.end()), expected);
  std::vector<float> expected_real;
  for (int32_t q : expected) expected_real.push_back((q - y_zp) * kMixedYScale);
  ExpectNear(outputs[0].Values<float>(), expected_real, 0.0f);
}

// model_195 of the random conformance models: a float op after two QDQ pairs in a row must see
// the values both quantizations give, each in turn (ONNX's definition), in float.
TEST(QdqFusionTest, FloatOpAfterTwoQdqPairsSeesBothQuantizations) {
  const float s1 = 0.3f, s2 = 0.2f;
  const int8_t z1 = 3, z2 = -2;
  const std::vector<float> x = {0.72f, -0.72f, 1.3f, 0.1f};
  const std::vector<float> factor = {2.0f, -1.0f, 0.5f, 4.0f};
  OnnxModelBuilder builder(13);
  builder.Input("x", {1, 4}).Output("y");
  std::vector<float> identity(16, 0.0f);
  for (int i = 0; i < 4; ++i) identity[i * 5] = 1.0f;
  builder.Initializer<float>("eye", {4, 4}, identity).Initializer<float>("factor", {4}, factor);
  builder.Initializer<float>("s1", {}, {s1}).Initializer<int8_t>("z1", {}, {z1});
  builder.Initializer<float>("s2", {}, {s2}).Initializer<int8_t>("z2", {}, {z2});
  builder.Node("MatMul", {"x", "eye"}, {"product"});
  builder.Node("QuantizeLinear", {"product", "s1", "z1"}, {"q1"});
  builder.Node("DequantizeLinear", {"q1", "s1", "z1"}, {"dq1"});
  builder.Node("QuantizeLinear", {"dq1", "s2", "z2"}, {"q2"});
  builder.Node("DequantizeLinear", {"q2", "s2", "z2"}, {"dq2"});
  builder.Node("Mul", {"factor", "dq2"}, {"y"});
  Graph graph = ImportOrDie(builder.Bytes());
  ASSERT_EQ(graph.outputs.size(), 1u);
  EXPECT_EQ(graph.tensors[graph.outputs[0]].dtype, DType::kFloat32);
  std::vector<float> expected;
  for (size_t i = 0; i < x.size(); ++i) {
    const float once = (Quantize(x[i], s1, z1, -128, 127) - z1) * s1;
    const float twice = (Quantize(once, s2, z2, -128, 127) - z2) * s2;
    expected.push_back(factor[i] * twice);
  }
  // 0.72 quantizes to 0.6 then stays 0.6; one quantization by s2 alone would give 0.8.
  ASSERT_NEAR(expected[0], 1.2f, 1e-6f);
  auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {1, 4}, x)}});
  ASSERT_FALSE(outputs.empty());
  ExpectNear(outputs[0].Values<float>(), expected, 1e-6f);
}

TEST(QuantizeLinearTest, DefaultZeroPointGivesUint8) {
  OnnxModelBuilder builder(11);
  builder.Input("x", {4}).Output("y", onnx::TensorProto::UINT8);
  builder.Initializer<float>("scale", {}, {0.5f});
  builder.Node("QuantizeLinear", {"x", "scale"}, {"y"});
  Graph graph = ImportOrDie(builder.Bytes());
  ASSERT_EQ(graph.outputs.size(), 1u);
  EXPECT_EQ(graph.tensors[graph.outputs[0]].dtype, DType::kUInt8);
  auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {4}, {-1, 0.2f, 3.1f, 200})}});
  ASSERT_FALSE(outputs.empty());
  EXPECT_EQ(outputs[0].Values<uint8_t>(), (std::vector<uint8_t>{0, 0, 6, 255}));
}

TEST(DequantizeLinearTest, PerAxisScalesSinceOpset13) {
  OnnxModelBuilder builder(13);
  builder.Input("x", {2, 3}, onnx::TensorProto::INT8).Output("y");
  builder.Initializer<float>("scale", {3}, {0.5f, 1.0f, 2.0f});
  builder.Initializer<int8_t>("zp", {3}, {0, 1, -1});
  SetInt(builder.Node("DequantizeLinear", {"x", "scale", "zp"}, {"y"}), "axis", 1);
  Graph graph = ImportOrDie(builder.Bytes());
  auto outputs = RunGraph(graph, {{"x", MakeTensor<int8_t>("x", {2, 3}, {2, 2, 2, -4, -4, -4})}});
  ASSERT_FALSE(outputs.empty());
  ExpectNear(outputs[0].Values<float>(), {1, 1, 6, -2, -5, -6});

  OnnxModelBuilder old_opset(12);
  old_opset.Input("x", {2, 3}, onnx::TensorProto::INT8).Output("y");
  old_opset.Initializer<float>("scale", {3}, {0.5f, 1.0f, 2.0f});
  old_opset.Node("DequantizeLinear", {"x", "scale"}, {"y"});
  EXPECT_FALSE(ImportOnnx(old_opset.Bytes(), {}).ok());
}

}  // namespace
}  // namespace tinymlops::toolchain

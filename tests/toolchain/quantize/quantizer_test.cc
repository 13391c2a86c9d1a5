#include "toolchain/quantize/quantizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "toolchain/graph/model_session.h"
#include "toolchain/quantize/quantize_test_models.h"

namespace tinymlops::toolchain {
namespace {

using testing_models::FloatTensor;
using testing_models::ModelBuilder;
using testing_models::UniformSamples;
using testing_models::UniformValues;

std::vector<std::vector<float>> Rows(int rows, int cols, uint32_t seed) {
  const std::vector<float> flat = UniformValues(rows * cols, seed, -0.5f, 0.5f);
  std::vector<std::vector<float>> result(rows);
  for (int r = 0; r < rows; ++r) result[r].assign(flat.begin() + r * cols, flat.begin() + (r + 1) * cols);
  return result;
}

// Output 0 of `graph` on `input`.
std::vector<float> Run(const Graph& graph, const CalibrationSample& input) {
  Result<std::unique_ptr<ModelSession>> session =
      ModelSession::FromGraph(graph, KernelSet::kReference);
  EXPECT_TRUE(session.ok()) << session.status().message();
  if (!session.ok()) return {};
  Result<std::vector<TensorDef>> outputs = (*session)->Run(input);
  EXPECT_TRUE(outputs.ok()) << outputs.status().message();
  if (!outputs.ok()) return {};
  EXPECT_EQ(outputs->at(0).dtype, DType::kFloat32);
  return outputs->at(0).Values<float>();
}

const TensorDef* FindTensor(const Graph& graph, const std::string& name) {
  const int index = graph.FindTensor(name);
  return index < 0 ? nullptr : &graph.tensors[index];
}

const OpDef* FindOp(const Graph& graph, tmm::OpType type) {
  for (const OpDef& op : graph.ops)
    if (op.type == type) return &op;
  return nullptr;
}

// Quantizes `float_graph` on `samples` and checks that on every sample each output value is
// within `steps` quantization steps of the float model's (`step`: the output's scale).
void ExpectCloseToFloat(const Graph& float_graph, const std::vector<CalibrationSample>& samples,
                        float step, float steps) {
  Result<Graph> quantized = QuantizeGraph(float_graph, samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  double total_error = 0;
  size_t count = 0;
  for (const CalibrationSample& sample : samples) {
    const std::vector<float> expected = Run(float_graph, sample);
    const std::vector<float> actual = Run(*quantized, sample);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_NEAR(actual[i], expected[i], steps * step) << "element " << i;
      total_error += std::abs(actual[i] - expected[i]);
      ++count;
    }
  }
  EXPECT_LT(total_error / count, step) << "mean error above one quantization step";
}

// The int8 output scale of float graph output `name` in a quantized graph.
float OutputStep(const Graph& float_graph, const std::vector<CalibrationSample>& samples,
                 const std::string& name) {
  Result<Graph> quantized = QuantizeGraph(float_graph, samples, QuantizeOptions{});
  EXPECT_TRUE(quantized.ok()) << quantized.status().message();
  const TensorDef* output = quantized.ok() ? FindTensor(*quantized, name + "_int8") : nullptr;
  EXPECT_NE(output, nullptr);
  return output ? output->quant.scale[0] : 0.0f;
}

Graph GemmModel(bool trans_b) {
  ModelBuilder model;
  const int x = model.Input("x", {1, 8});
  const int y = model.Gemm(x, trans_b ? Rows(4, 8, 1) : Rows(8, 4, 1),
                           UniformValues(4, 2, -0.5f, 0.5f), trans_b, "y");
  return model.Finish({y});
}

Graph ConvModel() {
  ModelBuilder model;
  const int x = model.Input("x", {1, 2, 5, 5});
  const int y = model.Conv(x, {3, 2, 3, 3}, UniformValues(54, 3, -0.5f, 0.5f),
                           UniformValues(3, 4, -0.2f, 0.2f), /*group=*/1, /*pad=*/1, "y");
  return model.Finish({y});
}

Graph MlpModel() {
  ModelBuilder model;
  const int x = model.Input("x", {1, 16});
  const int hidden = model.Gemm(x, Rows(12, 16, 5), UniformValues(12, 6, -0.3f, 0.3f),
                                /*trans_b=*/true, "fc1");
  const int relu = model.Unary(tmm::OpType::Relu, hidden, "relu1");
  const int logits = model.Gemm(relu, Rows(12, 4, 7), UniformValues(4, 8, -0.3f, 0.3f),
                                /*trans_b=*/false, "fc2");
  return model.Finish({logits});
}

TEST(QuantizeGraph, GemmStaysWithinAFewStepsOfFloat) {
  for (bool trans_b : {false, true}) {
    SCOPED_TRACE(trans_b ? "trans_b" : "no trans_b");
    const auto samples = UniformSamples("x", {1, 8}, 32, 10, -1.0f, 1.0f);
    const Graph graph = GemmModel(trans_b);
    ExpectCloseToFloat(graph, samples, OutputStep(graph, samples, "y"), 2.0f);
  }
}

TEST(QuantizeGraph, ConvStaysWithinAFewStepsOfFloat) {
  const auto samples = UniformSamples("x", {1, 2, 5, 5}, 16, 20, -1.0f, 1.0f);
  const Graph graph = ConvModel();
  ExpectCloseToFloat(graph, samples, OutputStep(graph, samples, "y"), 3.0f);
}

TEST(QuantizeGraph, AddOfInputAndConstantStaysWithinAFewStepsOfFloat) {
  ModelBuilder model;
  const int a = model.Input("a", {1, 6});
  const int b = model.Constant("b", {1, 6}, {0.5f, -0.25f, 1.0f, -1.0f, 0.0f, 2.0f});
  const int sum = model.Binary(tmm::OpType::Add, a, b, "sum");
  const Graph graph = model.Finish({sum});
  const auto samples = UniformSamples("a", {1, 6}, 32, 30, -1.0f, 1.0f);
  ExpectCloseToFloat(graph, samples, OutputStep(graph, samples, "sum"), 2.0f);
}

TEST(QuantizeGraph, SoftmaxOutputUsesTfliteFixedParameters) {
  ModelBuilder model;
  const int x = model.Input("x", {1, 10});
  const int y = model.Softmax(x, 1, "y");
  const Graph graph = model.Finish({y});
  const auto samples = UniformSamples("x", {1, 10}, 32, 40, -4.0f, 4.0f);
  Result<Graph> quantized = QuantizeGraph(graph, samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  const TensorDef* output = FindTensor(*quantized, "y_int8");
  ASSERT_NE(output, nullptr);
  EXPECT_EQ(output->quant.scale, (std::vector<float>{1.0f / 256.0f}));
  EXPECT_EQ(output->quant.zero_point, (std::vector<int32_t>{-128}));
  ExpectCloseToFloat(graph, samples, 1.0f / 256.0f, 2.0f);
}

TEST(QuantizeGraph, SigmoidAndTanhOutputsUseTfliteFixedParameters) {
  struct Case {
    tmm::OpType type;
    float scale;
    int32_t zero_point;
    float max_slope;  // largest derivative of the function: how far input rounding carries
  };
  for (const Case& c : {Case{tmm::OpType::Sigmoid, 1.0f / 256.0f, -128, 0.25f},
                        Case{tmm::OpType::Tanh, 1.0f / 128.0f, 0, 1.0f}}) {
    SCOPED_TRACE(tmm::EnumNameOpType(c.type));
    ModelBuilder model;
    const int x = model.Input("x", {1, 16});
    const Graph graph = model.Finish({model.Unary(c.type, x, "y")});
    const auto samples = UniformSamples("x", {1, 16}, 16, 70, -5.0f, 5.0f);
    Result<Graph> quantized = QuantizeGraph(graph, samples, QuantizeOptions{});
    ASSERT_TRUE(quantized.ok()) << quantized.status().message();
    const TensorDef* output = FindTensor(*quantized, "y_int8");
    ASSERT_NE(output, nullptr);
    EXPECT_EQ(output->quant.scale, (std::vector<float>{c.scale}));
    EXPECT_EQ(output->quant.zero_point, (std::vector<int32_t>{c.zero_point}));
    // The input is quantized over [-5, 5] first: half an input step, carried through the
    // function's slope, plus one output step.
    const float input_half_step = 10.0f / 255.0f / 2.0f;
    ExpectCloseToFloat(graph, samples, c.scale, 1.0f + c.max_slope * input_half_step / c.scale);
  }
}

TEST(QuantizeGraph, ConcatRequantizesInputsToTheOutputParameters) {
  ModelBuilder model;
  const int a = model.Input("a", {1, 4});
  const int a_sum = model.Binary(tmm::OpType::Add, a, a, "a_sum");  // range [-2, 2]
  const int b = model.Input("b", {1, 4});
  const int b_sum = model.Binary(tmm::OpType::Mul, b, b, "b_sum");  // range [0, 16]
  const Graph graph = model.Finish({model.Concat({a_sum, b_sum}, 1, "y")});
  std::vector<CalibrationSample> samples = UniformSamples("a", {1, 4}, 16, 80, -1.0f, 1.0f);
  const auto b_samples = UniformSamples("b", {1, 4}, 16, 90, -4.0f, 4.0f);
  for (size_t i = 0; i < samples.size(); ++i) samples[i]["b"] = b_samples[i].at("b");
  Result<Graph> quantized = QuantizeGraph(graph, samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  const OpDef* concat = FindOp(*quantized, tmm::OpType::Concat);
  ASSERT_NE(concat, nullptr);
  const QuantInfo& output = quantized->tensors[concat->outputs[0]].quant;
  for (int input : concat->inputs) {
    EXPECT_EQ(quantized->tensors[input].quant.scale, output.scale);
    EXPECT_EQ(quantized->tensors[input].quant.zero_point, output.zero_point);
  }
  EXPECT_NE(FindOp(*quantized, tmm::OpType::Requantize), nullptr);
  ExpectCloseToFloat(graph, samples, output.scale[0], 2.0f);
}

TEST(QuantizeGraph, ReshapeKeepsItsInputParameters) {
  ModelBuilder model;
  const int x = model.Input("x", {1, 6});
  const int sum = model.Binary(tmm::OpType::Add, x, x, "sum");
  const Graph graph = model.Finish({model.Reshape(sum, {2, 3}, "y")});
  const auto samples = UniformSamples("x", {1, 6}, 8, 95, -1.0f, 1.0f);
  Result<Graph> quantized = QuantizeGraph(graph, samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  const OpDef* reshape = FindOp(*quantized, tmm::OpType::Reshape);
  ASSERT_NE(reshape, nullptr);
  const TensorDef& input = quantized->tensors[reshape->inputs[0]];
  const TensorDef& output = quantized->tensors[reshape->outputs[0]];
  EXPECT_EQ(output.dtype, DType::kInt8);
  EXPECT_EQ(output.quant.scale, input.quant.scale);
  EXPECT_EQ(output.quant.zero_point, input.quant.zero_point);
}

TEST(QuantizeGraph, TwoLayerMlpStaysWithinAFewStepsOfFloat) {
  const auto samples = UniformSamples("x", {1, 16}, 32, 50, -1.0f, 1.0f);
  const Graph graph = MlpModel();
  ExpectCloseToFloat(graph, samples, OutputStep(graph, samples, "fc2"), 4.0f);
}

TEST(QuantizeGraph, InterfaceStaysFloatWithQuantizeAndDequantizeAtTheEdges) {
  const auto samples = UniformSamples("x", {1, 16}, 8, 50, -1.0f, 1.0f);
  Result<Graph> quantized = QuantizeGraph(MlpModel(), samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  ASSERT_EQ(quantized->inputs.size(), 1u);
  ASSERT_EQ(quantized->outputs.size(), 1u);
  const TensorDef& input = quantized->tensors[quantized->inputs[0]];
  const TensorDef& output = quantized->tensors[quantized->outputs[0]];
  EXPECT_EQ(input.name, "x");
  EXPECT_EQ(input.dtype, DType::kFloat32);
  EXPECT_EQ(output.name, "fc2");
  EXPECT_EQ(output.dtype, DType::kFloat32);
  EXPECT_EQ(output.shape, (std::vector<int32_t>{1, 4}));
  std::vector<tmm::OpType> types;
  for (const OpDef& op : quantized->ops) types.push_back(op.type);
  // The Relu is fused into fc1.
  EXPECT_EQ(types, (std::vector<tmm::OpType>{tmm::OpType::QuantizeLinear, tmm::OpType::Gemm,
                                             tmm::OpType::Gemm, tmm::OpType::DequantizeLinear}));
  const tmm::GemmOptionsT* fc1 = quantized->ops[1].options.AsGemmOptions();
  ASSERT_TRUE(fc1 && fc1->activation);
  EXPECT_EQ(fc1->activation->type, tmm::ActivationType::Relu);
  // The ReLU output uses the whole int8 range for [0, max].
  const TensorDef& hidden = quantized->tensors[quantized->ops[1].outputs[0]];
  EXPECT_EQ(hidden.dtype, DType::kInt8);
  EXPECT_EQ(hidden.quant.zero_point, (std::vector<int32_t>{-128}));
}

// Checks weights `weights_name` against the float values: int8, zero points 0, one scale per
// output channel (along `axis`) equal to max|w|/127 of that channel, values within half a step.
void ExpectPerChannelSymmetric(const Graph& float_graph, const Graph& quantized,
                               const std::string& weights_name, int axis) {
  const TensorDef* real = FindTensor(float_graph, weights_name);
  const TensorDef* weights = FindTensor(quantized, weights_name);
  ASSERT_TRUE(real && weights);
  EXPECT_EQ(weights->dtype, DType::kInt8);
  EXPECT_EQ(weights->quant.axis, axis);
  const int channels = real->shape[axis];
  ASSERT_EQ(static_cast<int>(weights->quant.scale.size()), channels);
  EXPECT_EQ(weights->quant.zero_point, std::vector<int32_t>(channels, 0));
  const std::vector<float> w = real->Values<float>();
  const std::vector<int8_t> q = weights->Values<int8_t>();
  const int rows = real->shape[0], cols = real->shape[1];
  for (int c = 0; c < channels; ++c) {
    float max_abs = 0;
    for (int k = 0; k < (axis == 0 ? cols : rows); ++k)
      max_abs = std::max(max_abs, std::abs(w[axis == 0 ? c * cols + k : k * cols + c]));
    EXPECT_FLOAT_EQ(weights->quant.scale[c], max_abs / 127.0f) << "channel " << c;
  }
  for (size_t i = 0; i < w.size(); ++i) {
    const int c = axis == 0 ? static_cast<int>(i) / cols : static_cast<int>(i) % cols;
    EXPECT_NEAR(q[i] * weights->quant.scale[c], w[i], weights->quant.scale[c] / 2 + 1e-7f);
  }
}

TEST(QuantizeGraph, GemmWeightsArePerChannelSymmetricOnTheOutputAxis) {
  const auto samples = UniformSamples("x", {1, 16}, 8, 50, -1.0f, 1.0f);
  const Graph graph = MlpModel();
  Result<Graph> quantized = QuantizeGraph(graph, samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  ExpectPerChannelSymmetric(graph, *quantized, "fc1.weight", 0);  // trans_b: B is [N, K]
  ExpectPerChannelSymmetric(graph, *quantized, "fc2.weight", 1);  // B is [K, N]
}

TEST(QuantizeGraph, BiasIsInt32WithScaleInputScaleTimesWeightScale) {
  const auto samples = UniformSamples("x", {1, 16}, 8, 50, -1.0f, 1.0f);
  const Graph graph = MlpModel();
  Result<Graph> quantized = QuantizeGraph(graph, samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  for (const OpDef& op : quantized->ops) {
    if (op.type != tmm::OpType::Gemm) continue;
    const TensorDef& input = quantized->tensors[op.inputs[0]];
    const TensorDef& weights = quantized->tensors[op.inputs[1]];
    const TensorDef& bias = quantized->tensors[op.inputs[2]];
    const std::vector<float> real = FindTensor(graph, bias.name)->Values<float>();
    SCOPED_TRACE(bias.name);
    EXPECT_EQ(bias.dtype, DType::kInt32);
    ASSERT_EQ(bias.quant.scale.size(), weights.quant.scale.size());
    const std::vector<int32_t> q = bias.Values<int32_t>();
    for (size_t c = 0; c < bias.quant.scale.size(); ++c) {
      const float scale = input.quant.scale[0] * weights.quant.scale[c];
      EXPECT_FLOAT_EQ(bias.quant.scale[c], scale);
      EXPECT_EQ(bias.quant.zero_point[c], 0);
      EXPECT_NEAR(q[c] * static_cast<double>(scale), real[c], scale / 2 + 1e-9);
    }
  }
}

TEST(QuantizeGraph, ConvWeightsArePerChannelOnAxis0WithInt32Bias) {
  const auto samples = UniformSamples("x", {1, 2, 5, 5}, 8, 20, -1.0f, 1.0f);
  Result<Graph> quantized = QuantizeGraph(ConvModel(), samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  const OpDef* conv = FindOp(*quantized, tmm::OpType::Conv);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(quantized->tensors[conv->inputs[0]].dtype, DType::kInt8);
  EXPECT_EQ(quantized->tensors[conv->inputs[0]].quant.scale.size(), 1u);
  const TensorDef& weights = quantized->tensors[conv->inputs[1]];
  EXPECT_EQ(weights.dtype, DType::kInt8);
  EXPECT_EQ(weights.quant.axis, 0);
  EXPECT_EQ(weights.quant.scale.size(), 3u);
  EXPECT_EQ(quantized->tensors[conv->inputs[2]].dtype, DType::kInt32);
  EXPECT_EQ(quantized->tensors[conv->outputs[0]].dtype, DType::kInt8);
}

TEST(QuantizeGraph, NoSamplesIsAnError) {
  Result<Graph> quantized = QuantizeGraph(MlpModel(), {}, QuantizeOptions{});
  ASSERT_FALSE(quantized.ok());
  EXPECT_EQ(quantized.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(quantized.status().message()).find("at least one calibration sample"),
            std::string::npos);
}

TEST(QuantizeGraph, SampleOfTheWrongShapeIsAnError) {
  const auto samples = UniformSamples("x", {1, 15}, 2, 50, -1.0f, 1.0f);
  Result<Graph> quantized = QuantizeGraph(MlpModel(), samples, QuantizeOptions{});
  ASSERT_FALSE(quantized.ok());
  const std::string message = quantized.status().message();
  EXPECT_NE(message.find("'x'"), std::string::npos) << message;
  EXPECT_NE(message.find("[1,16]"), std::string::npos) << message;
  EXPECT_NE(message.find("[1,15]"), std::string::npos) << message;
}

TEST(QuantizeGraph, SampleMissingAnInputOrNamingAnotherIsAnError) {
  auto samples = UniformSamples("x", {1, 16}, 2, 50, -1.0f, 1.0f);
  samples[1]["z"] = FloatTensor("z", {1}, {0.0f});
  Result<Graph> extra = QuantizeGraph(MlpModel(), samples, QuantizeOptions{});
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(std::string(extra.status().message()).find("'z'"), std::string::npos);
  samples[1].erase("x");
  samples[1].erase("z");
  Result<Graph> missing = QuantizeGraph(MlpModel(), samples, QuantizeOptions{});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("sample 1"), std::string::npos);
}

TEST(QuantizeGraph, QuantizedModelIsRejected) {
  const auto samples = UniformSamples("x", {1, 16}, 4, 50, -1.0f, 1.0f);
  Result<Graph> quantized = QuantizeGraph(MlpModel(), samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  Result<Graph> twice = QuantizeGraph(*quantized, samples, QuantizeOptions{});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(std::string(twice.status().message()).find("already quantized"), std::string::npos);
}

TEST(QuantizeGraph, OpWithoutInt8KernelRunsInFloatBetweenDequantizeAndQuantize) {
  ModelBuilder model;
  const int x = model.Input("x", {1, 4});
  const int shift = model.Constant("shift", {1, 4}, {0.5f, -0.5f, 0.25f, 0.0f});
  const int sum = model.Binary(tmm::OpType::Add, x, shift, "sum");
  const int normalized =
      model.BatchNormalization(sum, {2.0f, 0.5f, -1.0f, 1.5f}, {0.1f, 0.2f, 0.3f, 0.4f}, "bn");
  const Graph graph = model.Finish({model.Softmax(normalized, 1, "y")});
  const auto samples = UniformSamples("x", {1, 4}, 16, 110, -1.0f, 1.0f);
  Result<Graph> quantized = QuantizeGraph(graph, samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  std::vector<tmm::OpType> types;
  for (const OpDef& op : quantized->ops) types.push_back(op.type);
  using tmm::OpType;
  EXPECT_EQ(types, (std::vector<OpType>{OpType::QuantizeLinear, OpType::Add,
                                        OpType::DequantizeLinear, OpType::BatchNormalization,
                                        OpType::QuantizeLinear, OpType::Softmax,
                                        OpType::DequantizeLinear}));
  ExpectCloseToFloat(graph, samples, 1.0f / 256.0f, 3.0f);
}

TEST(QuantizeGraph, GemmWithAlphaRunsInFloatBetweenDequantizeAndQuantize) {
  ModelBuilder model;
  const int x = model.Input("x", {1, 8});
  const int hidden = model.Gemm(x, Rows(8, 4, 1), UniformValues(4, 2, -0.5f, 0.5f), false, "h");
  const int y = model.Gemm(hidden, Rows(4, 3, 3), UniformValues(3, 4, -0.5f, 0.5f), false, "y");
  Graph graph = model.Finish({y});
  graph.ops[0].options.AsGemmOptions()->alpha = 2.0f;
  const auto samples = UniformSamples("x", {1, 8}, 16, 60, -1.0f, 1.0f);
  Result<Graph> quantized = QuantizeGraph(graph, samples, QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  std::vector<tmm::OpType> types;
  for (const OpDef& op : quantized->ops) types.push_back(op.type);
  EXPECT_EQ(types, (std::vector<tmm::OpType>{tmm::OpType::Gemm, tmm::OpType::QuantizeLinear,
                                             tmm::OpType::Gemm, tmm::OpType::DequantizeLinear}));
  EXPECT_EQ(quantized->tensors[quantized->ops[0].inputs[1]].dtype, DType::kFloat32);
  ExpectCloseToFloat(graph, samples, OutputStep(graph, samples, "y"), 2.0f);
}

}  // namespace
}  // namespace tinymlops::toolchain

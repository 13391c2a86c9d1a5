// Differential tests of the optimized int8/uint8 Gemm and MatMul kernels against the reference
// kernels: the outputs must be identical bytes (the determinism contract), over random sizes,
// transposes, zero points, per-tensor and per-column weight scales, bias forms and activations.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "runtime/kernels/optimized_differential.h"

namespace tinymlops::testing {
namespace {

using runtime::DType;

void Quantize(TensorDef& tensor, std::vector<float> scale, std::vector<int32_t> zero_point,
              int axis) {
  tensor.quant.scale = std::move(scale);
  tensor.quant.zero_point = std::move(zero_point);
  tensor.quant.axis = axis;
}

struct LinearCase {
  tmm::OpType type;
  DType dtype;  // of A, B and Y
  int rows, depth, cols;
  bool trans_a, trans_b, per_column, bias;
  tmm::ActivationType activation;

  std::string Describe() const {
    return std::string(tmm::EnumNameOpType(type)) + " " + runtime::DTypeName(dtype) + " M " +
           std::to_string(rows) + " K " + std::to_string(depth) + " N " + std::to_string(cols) +
           (trans_a ? " trans_a" : "") + (trans_b ? " trans_b" : "") +
           (per_column ? " per-column" : " per-tensor") + (bias ? " bias" : "") + " " +
           tmm::EnumNameActivationType(activation);
  }
};

void CheckLinear(const LinearCase& c, std::mt19937& rng) {
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  const bool is_int8 = c.dtype == DType::kInt8;
  const int q_low = is_int8 ? -128 : 0, q_high = is_int8 ? 127 : 255;
  const bool gemm = c.type == tmm::OpType::Gemm;
  const bool trans_a = gemm && c.trans_a, trans_b = gemm && c.trans_b;
  Graph graph;
  graph.name = "int8_linear";
  TensorDef a = RandomIntTensor(
      "a", c.dtype,
      trans_a ? std::vector<int32_t>{c.depth, c.rows} : std::vector<int32_t>{c.rows, c.depth},
      q_low, q_high, rng, false);
  Quantize(a, {0.05f}, {uniform(q_low / 8, q_high / 8)}, -1);
  TensorDef b = RandomIntTensor(
      "b", c.dtype,
      trans_b ? std::vector<int32_t>{c.cols, c.depth} : std::vector<int32_t>{c.depth, c.cols},
      q_low, q_high, rng, true);
  const int channels = c.per_column ? c.cols : 1;
  std::vector<float> b_scales(channels);
  std::vector<int32_t> b_zero_points(channels);
  for (int i = 0; i < channels; ++i) {
    b_scales[i] = 0.002f * static_cast<float>(uniform(1, 10));
    b_zero_points[i] = is_int8 ? 0 : uniform(100, 150);
  }
  Quantize(b, b_scales, b_zero_points, c.per_column ? (trans_b ? 0 : 1) : -1);
  const int x = graph.AddTensor(a);
  const int w = graph.AddTensor(b);
  const int bias =
      c.bias ? graph.AddTensor(RandomIntTensor("c", DType::kInt32, {c.cols}, -5000, 5000, rng,
                                               true))
             : -1;
  TensorDef y = ActivationTensor("y", c.dtype, {c.rows, c.cols});
  Quantize(y, {0.05f * 0.01f * 40.0f * std::sqrt(static_cast<float>(c.depth))},
           {uniform(q_low / 4, q_high / 4) + (is_int8 ? 0 : 64)}, -1);
  const int out = graph.AddTensor(y);
  auto activation = std::make_unique<tmm::ActivationT>();
  activation->type = c.activation;
  activation->clip_min = -1.0f;
  activation->clip_max = 1.5f;
  toolchain::OpDef op;
  op.type = c.type;
  op.name = "linear";
  op.inputs = gemm ? std::vector<int>{x, w, bias} : std::vector<int>{x, w};
  op.outputs = {out};
  if (gemm) {
    tmm::GemmOptionsT options;
    options.trans_a = trans_a;
    options.trans_b = trans_b;
    options.activation = std::move(activation);
    op.options.Set(std::move(options));
  } else {
    tmm::MatMulOptionsT options;
    options.activation = std::move(activation);
    op.options.Set(std::move(options));
  }
  graph.ops.push_back(std::move(op));
  graph.inputs = {x};
  graph.outputs = {out};
  TensorDef input = graph.tensors[x];
  input.is_constant = false;
  TensorDef reference, optimized;
  RunBothKernelSets(graph, {input}, &reference, &optimized);
  ExpectBytesEqual(reference, optimized, c.Describe());
}

TEST(OptimizedInt8LinearTest, RandomQuantizedGemmAndMatMulAreBitExact) {
  std::mt19937 rng(31);
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  for (int trial = 0; trial < 120; ++trial) {
    LinearCase c{};
    c.type = uniform(0, 2) == 0 ? tmm::OpType::MatMul : tmm::OpType::Gemm;
    c.dtype = uniform(0, 3) == 0 ? DType::kUInt8 : DType::kInt8;
    c.rows = uniform(0, 2) == 0 ? uniform(2, 6) : 1;
    c.depth = uniform(1, 700);
    c.cols = uniform(1, 300);
    c.trans_a = uniform(0, 1);
    c.trans_b = uniform(0, 1);
    c.per_column = uniform(0, 1);
    c.bias = c.type == tmm::OpType::Gemm && uniform(0, 1);
    c.activation = static_cast<tmm::ActivationType>(uniform(0, 2));
    CheckLinear(c, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace tinymlops::testing

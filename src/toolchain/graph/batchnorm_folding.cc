#include "toolchain/graph/batchnorm_folding.h"

#include "toolchain/graph/dead_code_pruning.h"
#include "toolchain/graph/tensor_uses.h"

namespace tinymlops::toolchain {
namespace {

bool IsFloatConstant(const Graph& graph, int index) {
  return index >= 0 && graph.tensors[index].is_constant &&
         graph.tensors[index].dtype == DType::kFloat32 && !graph.tensors[index].quant.IsQuantized();
}

// A new float constant named `<base>/<suffix>`; returns its index.
int AddFloatConstant(Graph& graph, const std::string& base, const char* suffix,
                     std::vector<int32_t> shape, const std::vector<float>& values) {
  TensorDef tensor;
  tensor.name = base + "/" + suffix;
  tensor.shape = std::move(shape);
  tensor.SetValues(values);
  return graph.AddTensor(std::move(tensor));
}

bool FoldIntoConv(Graph& graph, OpDef& conv, const std::vector<float>& scale,
                  const std::vector<float>& shift) {
  const int channels = static_cast<int>(scale.size());
  const int bias = conv.inputs.size() > 2 ? conv.inputs[2] : -1;
  if (!IsFloatConstant(graph, conv.inputs[1]) || (bias >= 0 && !IsFloatConstant(graph, bias)))
    return false;
  const TensorDef& weight = graph.tensors[conv.inputs[1]];
  if (weight.shape.empty() || weight.shape[0] != channels) return false;
  std::vector<float> weights = weight.Values<float>();
  const size_t per_channel = weights.size() / channels;
  for (size_t i = 0; i < weights.size(); ++i) weights[i] *= scale[i / per_channel];
  std::vector<float> biases(channels, 0.0f);
  if (bias >= 0) biases = graph.tensors[bias].Values<float>();
  for (int c = 0; c < channels; ++c) biases[c] = biases[c] * scale[c] + shift[c];
  const std::vector<int32_t> weight_shape = weight.shape;
  conv.inputs.resize(3);
  conv.inputs[1] = AddFloatConstant(graph, conv.name, "folded_weight", weight_shape, weights);
  conv.inputs[2] = AddFloatConstant(graph, conv.name, "folded_bias", {channels}, biases);
  return true;
}

// Scales column n of op(B) by scale[n]; B is [K, N], or [N, K] when transposed.
std::vector<float> ScaleColumns(const TensorDef& b, bool transposed,
                                const std::vector<float>& scale) {
  std::vector<float> values = b.Values<float>();
  const size_t n = scale.size();
  const size_t per_row = values.size() / n;
  for (size_t i = 0; i < values.size(); ++i) values[i] *= scale[transposed ? i / per_row : i % n];
  return values;
}

bool FoldIntoGemm(Graph& graph, OpDef& gemm, const std::vector<int32_t>& output_shape,
                  const std::vector<float>& scale, const std::vector<float>& shift) {
  tmm::GemmOptionsT* options = gemm.options.AsGemmOptions();
  const int c_index = gemm.inputs.size() > 2 ? gemm.inputs[2] : -1;
  if (!options || !IsFloatConstant(graph, gemm.inputs[1]) ||
      (c_index >= 0 && !IsFloatConstant(graph, c_index)))
    return false;
  const int32_t m = output_shape[0], n = output_shape[1];
  std::vector<int32_t> c_shape = {n};
  std::vector<float> c_values(shift);
  if (c_index >= 0) {
    const TensorDef& c = graph.tensors[c_index];
    const std::vector<float> values = c.Values<float>();
    const bool per_row = c.shape.size() == 2 && c.shape[0] != 1;
    const bool per_column = !c.shape.empty() && c.shape.back() != 1;
    const int32_t rows = per_row ? m : 1;
    if (per_row) c_shape = {m, n};
    c_values.assign(static_cast<size_t>(rows) * n, 0.0f);
    for (int32_t r = 0; r < rows; ++r)
      for (int32_t col = 0; col < n; ++col) {
        const size_t source = (per_row ? r * (per_column ? n : 1) : 0) + (per_column ? col : 0);
        c_values[r * n + col] = options->beta * values[source] * scale[col] + shift[col];
      }
  }
  const TensorDef& b = graph.tensors[gemm.inputs[1]];
  const std::vector<int32_t> b_shape = b.shape;
  const std::vector<float> b_values = ScaleColumns(b, options->trans_b, scale);
  gemm.inputs.resize(3);
  gemm.inputs[1] = AddFloatConstant(graph, gemm.name, "folded_weight", b_shape, b_values);
  gemm.inputs[2] = AddFloatConstant(graph, gemm.name, "folded_bias", c_shape, c_values);
  options->beta = 1.0f;
  return true;
}

bool FoldIntoMatMul(Graph& graph, OpDef& matmul, const std::vector<float>& scale,
                    const std::vector<float>& shift) {
  const int b = matmul.inputs[1];
  if (graph.tensors[matmul.inputs[0]].shape.size() != 2 || !IsFloatConstant(graph, b) ||
      graph.tensors[b].shape.size() != 2)
    return false;
  const std::vector<int32_t> b_shape = graph.tensors[b].shape;
  const std::vector<float> b_values = ScaleColumns(graph.tensors[b], false, scale);
  tmm::GemmOptionsT options;
  matmul.type = tmm::OpType::Gemm;
  matmul.options.Set(std::move(options));
  matmul.inputs = {matmul.inputs[0],
                   AddFloatConstant(graph, matmul.name, "folded_weight", b_shape, b_values),
                   AddFloatConstant(graph, matmul.name, "folded_bias",
                                    {static_cast<int32_t>(shift.size())}, shift)};
  return true;
}

bool HasActivation(const OpDef& op) {
  const std::unique_ptr<tmm::ActivationT>* activation = nullptr;
  if (const auto* conv = op.options.AsConvOptions()) activation = &conv->activation;
  if (const auto* gemm = op.options.AsGemmOptions()) activation = &gemm->activation;
  if (const auto* matmul = op.options.AsMatMulOptions()) activation = &matmul->activation;
  return activation && *activation && (*activation)->type != tmm::ActivationType::None;
}

}  // namespace

int FoldBatchNorms(Graph& graph) {
  const TensorUses uses = FindTensorUses(graph);
  std::vector<bool> folded(graph.ops.size(), false);
  int count = 0;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const OpDef& batchnorm = graph.ops[i];
    if (batchnorm.type != tmm::OpType::BatchNormalization || batchnorm.inputs.size() != 3 ||
        !IsFloatConstant(graph, batchnorm.inputs[1]) ||
        !IsFloatConstant(graph, batchnorm.inputs[2]))
      continue;
    const int x = batchnorm.inputs[0];
    const int producer_index = uses.producer[x];
    if (producer_index < 0 || !uses.OnlyFeeds(x, static_cast<int>(i))) continue;
    OpDef& producer = graph.ops[producer_index];
    const TensorDef& x_tensor = graph.tensors[x];
    if (producer.outputs.size() != 1 || x_tensor.dtype != DType::kFloat32 ||
        x_tensor.shape.size() < 2 || HasActivation(producer) || producer.inputs.size() < 2)
      continue;
    const std::vector<int32_t> x_shape = x_tensor.shape;
    const std::vector<float> scale = graph.tensors[batchnorm.inputs[1]].Values<float>();
    const std::vector<float> shift = graph.tensors[batchnorm.inputs[2]].Values<float>();
    if (scale.size() != static_cast<size_t>(x_shape[1]) || shift.size() != scale.size()) continue;
    bool done = false;
    switch (producer.type) {
      case tmm::OpType::Conv:
        done = FoldIntoConv(graph, producer, scale, shift);
        break;
      case tmm::OpType::Gemm:
        done = x_shape.size() == 2 && FoldIntoGemm(graph, producer, x_shape, scale, shift);
        break;
      case tmm::OpType::MatMul:
        done = x_shape.size() == 2 && FoldIntoMatMul(graph, producer, scale, shift);
        break;
      default:
        break;
    }
    if (!done) continue;
    producer.outputs[0] = graph.ops[i].outputs[0];
    folded[i] = true;
    ++count;
  }
  RemoveOps(graph, folded);
  return count;
}

}  // namespace tinymlops::toolchain

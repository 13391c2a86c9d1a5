#include "toolchain/graph/qdq_fusion.h"

#include "toolchain/graph/bias_quantization.h"
#include "toolchain/graph/dead_code_pruning.h"
#include "toolchain/graph/tensor_uses.h"

namespace tinymlops::toolchain {
namespace {

bool IsInt8Like(DType dtype) { return dtype == DType::kInt8 || dtype == DType::kUInt8; }

// The quantized tensor a DequantizeLinear turns into `tensor`, or -1.
int DequantizedSource(const Graph& graph, const TensorUses& uses, int tensor) {
  if (tensor < 0 || uses.producer[tensor] < 0) return -1;
  const OpDef& producer = graph.ops[uses.producer[tensor]];
  if (producer.type != tmm::OpType::DequantizeLinear || producer.inputs.size() != 1) return -1;
  return producer.inputs[0];
}

bool IsPerTensorInt8(const TensorDef& tensor) {
  return IsInt8Like(tensor.dtype) && tensor.quant.scale.size() == 1;
}

// Real bias values of `bias` (a float constant, or the dequantized int32 constant behind it),
// one per output channel (a single value is repeated); empty when unusable.
std::vector<float> RealBias(const Graph& graph, const TensorUses& uses, int bias, int channels) {
  std::vector<float> real;
  const int source = DequantizedSource(graph, uses, bias);
  if (source >= 0) {
    const TensorDef& quantized = graph.tensors[source];
    if (!quantized.is_constant || quantized.dtype != DType::kInt32) return {};
    const std::vector<int32_t> values = quantized.Values<int32_t>();
    const QuantInfo& quant = quantized.quant;
    if (quant.scale.size() != 1 && quant.scale.size() != values.size()) return {};
    for (size_t i = 0; i < values.size(); ++i) {
      const size_t q = quant.scale.size() == 1 ? 0 : i;
      real.push_back(quant.scale[q] * static_cast<float>(int64_t{values[i]} - quant.zero_point[q]));
    }
  } else {
    const TensorDef& tensor = graph.tensors[bias];
    if (!tensor.is_constant || tensor.dtype != DType::kFloat32) return {};
    real = tensor.Values<float>();
  }
  if (real.size() == 1) real.assign(channels, real[0]);
  if (real.size() != static_cast<size_t>(channels)) return {};
  return real;
}

// The axis of the weight tensor that indexes output channels.
int OutputChannelAxis(const OpDef& op, const TensorDef& weight) {
  if (op.type == tmm::OpType::Conv) return 0;
  if (op.type == tmm::OpType::Gemm) {
    const tmm::GemmOptionsT* options = op.options.AsGemmOptions();
    return options && options->trans_b ? 0 : 1;
  }
  return static_cast<int>(weight.shape.size()) - 1;
}

}  // namespace

int FuseQuantizeDequantize(Graph& graph) {
  const TensorUses uses = FindTensorUses(graph);
  std::vector<bool> removed(graph.ops.size(), false);
  int count = 0;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    OpDef& op = graph.ops[i];
    if ((op.type != tmm::OpType::Conv && op.type != tmm::OpType::Gemm &&
         op.type != tmm::OpType::MatMul) ||
        op.inputs.size() < 2 || op.outputs.size() != 1)
      continue;
    const int y_float = op.outputs[0];
    if (uses.is_graph_output[y_float] || uses.consumers[y_float].size() != 1) continue;
    const int quantize_index = uses.consumers[y_float][0];
    const OpDef& quantize = graph.ops[quantize_index];
    if (quantize.type != tmm::OpType::QuantizeLinear ||
        !IsPerTensorInt8(graph.tensors[quantize.outputs[0]]))
      continue;
    const int x = DequantizedSource(graph, uses, op.inputs[0]);
    const int w = DequantizedSource(graph, uses, op.inputs[1]);
    if (x < 0 || w < 0 || !IsPerTensorInt8(graph.tensors[x])) continue;
    const TensorDef& weight = graph.tensors[w];
    if (!IsInt8Like(weight.dtype) || !weight.quant.IsQuantized() ||
        (op.type != tmm::OpType::MatMul && !weight.is_constant))
      continue;
    if (weight.quant.scale.size() > 1 && weight.quant.axis != OutputChannelAxis(op, weight))
      continue;
    if (const tmm::GemmOptionsT* gemm = op.options.AsGemmOptions();
        gemm &&
        (gemm->alpha != 1.0f || (op.inputs.size() > 2 && op.inputs[2] >= 0 && gemm->beta != 1.0f)))
      continue;
    std::vector<int> inputs = {x, w};
    if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
      const int channels = graph.tensors[y_float].shape[1];
      const std::vector<float> real = RealBias(graph, uses, op.inputs[2], channels);
      if (real.empty()) continue;
      TensorDef bias;
      bias.name = op.name + "/quantized_bias";
      bias.dtype = DType::kInt32;
      bias.shape = {channels};
      bias.quant = BiasQuantization(graph.tensors[x].quant, weight.quant);
      bias.SetValues(QuantizeBias(real, bias.quant));
      inputs.push_back(graph.AddTensor(std::move(bias)));
    }
    op.inputs = inputs;
    op.outputs[0] = graph.ops[quantize_index].outputs[0];
    removed[quantize_index] = true;
    ++count;
  }
  RemoveOps(graph, removed);
  return count;
}

}  // namespace tinymlops::toolchain

#include "toolchain/graph/activation_fusion.h"

#include "toolchain/graph/dead_code_pruning.h"
#include "toolchain/graph/tensor_uses.h"

namespace tinymlops::toolchain {
namespace {

// The activation slot of an op that can carry one, creating its options when absent; nullptr
// for other ops.
std::unique_ptr<tmm::ActivationT>* ActivationSlot(OpDef& op) {
  switch (op.type) {
    case tmm::OpType::Conv:
      if (op.options.type == tmm::OpOptions::NONE) op.options.Set(tmm::ConvOptionsT());
      return op.options.AsConvOptions() ? &op.options.AsConvOptions()->activation : nullptr;
    case tmm::OpType::Gemm:
      if (op.options.type == tmm::OpOptions::NONE) op.options.Set(tmm::GemmOptionsT());
      return op.options.AsGemmOptions() ? &op.options.AsGemmOptions()->activation : nullptr;
    case tmm::OpType::MatMul:
      if (op.options.type == tmm::OpOptions::NONE) op.options.Set(tmm::MatMulOptionsT());
      return op.options.AsMatMulOptions() ? &op.options.AsMatMulOptions()->activation : nullptr;
    case tmm::OpType::Add:
    case tmm::OpType::Sub:
    case tmm::OpType::Mul:
      if (op.options.type == tmm::OpOptions::NONE) op.options.Set(tmm::ElementwiseOptionsT());
      return op.options.AsElementwiseOptions() ? &op.options.AsElementwiseOptions()->activation
                                               : nullptr;
    default:
      return nullptr;
  }
}

bool SameQuantization(const QuantInfo& a, const QuantInfo& b) {
  return a.scale == b.scale && a.zero_point == b.zero_point && a.axis == b.axis;
}

}  // namespace

int FuseActivations(Graph& graph) {
  const TensorUses uses = FindTensorUses(graph);
  std::vector<bool> fused(graph.ops.size(), false);
  int count = 0;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const OpDef& activation_op = graph.ops[i];
    const bool is_relu = activation_op.type == tmm::OpType::Relu;
    const bool is_clip = activation_op.type == tmm::OpType::Clip;
    if ((!is_relu && !is_clip) || activation_op.inputs.empty() || activation_op.outputs.size() != 1)
      continue;
    const int x = activation_op.inputs[0];
    if (x < 0 || uses.producer[x] < 0 || !uses.OnlyFeeds(x, static_cast<int>(i))) continue;
    const TensorDef& x_tensor = graph.tensors[x];
    const TensorDef& y_tensor = graph.tensors[activation_op.outputs[0]];
    if (x_tensor.dtype != y_tensor.dtype || !SameQuantization(x_tensor.quant, y_tensor.quant))
      continue;
    auto activation = std::make_unique<tmm::ActivationT>();
    if (is_relu) {
      activation->type = tmm::ActivationType::Relu;
    } else {
      const tmm::ClipOptionsT* clip = activation_op.options.AsClipOptions();
      if (!clip || activation_op.inputs.size() > 1) continue;
      activation->type = tmm::ActivationType::Clip;
      activation->clip_min = clip->min;
      activation->clip_max = clip->max;
    }
    OpDef& producer = graph.ops[uses.producer[x]];
    if (producer.outputs.size() != 1) continue;
    std::unique_ptr<tmm::ActivationT>* slot = ActivationSlot(producer);
    if (!slot || (*slot && (*slot)->type != tmm::ActivationType::None)) continue;
    *slot = std::move(activation);
    producer.outputs[0] = activation_op.outputs[0];
    fused[i] = true;
    ++count;
  }
  RemoveOps(graph, fused);
  return count;
}

}  // namespace tinymlops::toolchain

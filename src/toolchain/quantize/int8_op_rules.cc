#include "toolchain/quantize/int8_op_rules.h"

#include <algorithm>

namespace tinymlops::toolchain {
namespace {

using tmm::OpType;
using Role = Int8InputRole;

bool IsConstant(const Graph& graph, const OpDef& op, size_t input) {
  return input < op.inputs.size() && op.inputs[input] >= 0 &&
         graph.tensors[op.inputs[input]].is_constant;
}

bool IsAbsent(const OpDef& op, size_t input) {
  return input >= op.inputs.size() || op.inputs[input] < 0;
}

const TensorDef& Input(const Graph& graph, const OpDef& op, size_t input) {
  return graph.tensors[op.inputs[input]];
}

// Every input an activation.
Int8OpRule Elementwise(const OpDef& op, Int8OutputParams output) {
  Int8OpRule rule;
  rule.runs_in_int8 = true;
  rule.inputs.assign(op.inputs.size(), Role::kActivation);
  rule.output = output;
  return rule;
}

// Activation, weights on `axis`, optional bias of `channels` (or 1) constant values.
Int8OpRule WeightedOp(const Graph& graph, const OpDef& op, int axis, int64_t channels) {
  if (!IsAbsent(op, 2)) {
    const int64_t count = Input(graph, op, 2).ElementCount();
    if (!IsConstant(graph, op, 2) || (count != channels && count != 1)) return Int8OpRule{};
  }
  Int8OpRule rule;
  rule.runs_in_int8 = true;
  rule.inputs = {Role::kActivation, Role::kWeights, Role::kBias};
  rule.inputs.resize(op.inputs.size());
  rule.weight_axis = axis;
  return rule;
}

Int8OpRule ConvRule(const Graph& graph, const OpDef& op) {
  if (!IsConstant(graph, op, 1) || Input(graph, op, 1).shape.size() < 3) return Int8OpRule{};
  return WeightedOp(graph, op, 0, Input(graph, op, 1).shape[0]);
}

Int8OpRule GemmRule(const Graph& graph, const OpDef& op) {
  const tmm::GemmOptionsT* options = op.options.AsGemmOptions();
  if (!options || options->alpha != 1.0f) return Int8OpRule{};
  if (!IsAbsent(op, 2) && options->beta != 1.0f) return Int8OpRule{};
  if (!IsConstant(graph, op, 1) || Input(graph, op, 1).shape.size() != 2) return Int8OpRule{};
  const int axis = options->trans_b ? 0 : 1;
  return WeightedOp(graph, op, axis, Input(graph, op, 1).shape[axis]);
}

Int8OpRule MatMulRule(const Graph& graph, const OpDef& op) {
  const std::vector<int32_t>& b_shape = Input(graph, op, 1).shape;
  if (IsConstant(graph, op, 1) && b_shape.size() >= 2) {
    const int axis = static_cast<int>(b_shape.size()) - 1;
    return WeightedOp(graph, op, axis, b_shape[axis]);
  }
  return Elementwise(op, Int8OutputParams::kCalibrated);
}

bool AllFloat(const Graph& graph, const std::vector<int>& tensors) {
  return std::all_of(tensors.begin(), tensors.end(), [&](int index) {
    return index < 0 || graph.tensors[index].dtype == DType::kFloat32;
  });
}

}  // namespace

Int8OpRule Int8RuleFor(const Graph& graph, const OpDef& op) {
  if (IsAbsent(op, 0) || Input(graph, op, 0).dtype != DType::kFloat32 ||
      !AllFloat(graph, op.outputs))
    return Int8OpRule{};
  switch (op.type) {
    case OpType::Conv:
      return ConvRule(graph, op);
    case OpType::Gemm:
      return GemmRule(graph, op);
    case OpType::MatMul:
      return MatMulRule(graph, op);
    case OpType::Add:
    case OpType::Sub:
    case OpType::Mul:
      return Elementwise(op, Int8OutputParams::kCalibrated);
    case OpType::Concat: {
      Int8OpRule rule = Elementwise(op, Int8OutputParams::kCalibrated);
      rule.inputs_take_output_params = true;
      return rule;
    }
    case OpType::Softmax:
      return Elementwise(op, Int8OutputParams::kSoftmax);
    case OpType::Sigmoid:
      return Elementwise(op, Int8OutputParams::kSigmoid);
    case OpType::Tanh:
      return Elementwise(op, Int8OutputParams::kTanh);
    case OpType::Clip:
      if (!IsAbsent(op, 1) || !IsAbsent(op, 2)) return Int8OpRule{};
      return Elementwise(op, Int8OutputParams::kSameAsInput);
    case OpType::Relu:
    case OpType::MaxPool:
    case OpType::AveragePool:
    case OpType::GlobalAveragePool:
    case OpType::Reshape:
    case OpType::Transpose:
    case OpType::Pad:
      return Elementwise(op, Int8OutputParams::kSameAsInput);
    default:
      return Int8OpRule{};
  }
}

}  // namespace tinymlops::toolchain

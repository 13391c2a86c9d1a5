// Which ops the quantizer runs in int8, and how: for each op of a float Graph, whether the
// runtime has an int8 kernel for this case, what each float input becomes, and how the int8
// output's parameters are chosen. These rules follow TensorFlow Lite's int8 operator
// specification, which the runtime's int8 kernels implement:
//
//   Conv          X activation, W per-channel weights (axis 0 of [M, C/group, k...]),
//                 B int32 bias; output calibrated. Needs constant W (and B).
//   Gemm          A activation, B per-channel weights on the output axis (0 if trans_b, else
//                 1), C int32 bias of N (or 1) values; output calibrated. Needs constant B
//                 (and C) and alpha = beta = 1.
//   MatMul        A activation; a constant B of rank >= 2 per-channel weights on its last
//                 axis (the output columns), else B an activation; output calibrated.
//   Add Sub Mul   every input an activation (constants quantized per tensor); calibrated.
//   Concat        inputs requantized to the output's calibrated parameters (as TFLite).
//   Softmax       output fixed at scale 1/256, zero point -128.
//   Sigmoid       output fixed at scale 1/256, zero point -128.
//   Tanh          output fixed at scale 1/128, zero point 0.
//   Relu Clip     (when not fused) output keeps the input's parameters: a clamp of q.
//   MaxPool AveragePool GlobalAveragePool Reshape Transpose Pad
//                 output keeps the input's parameters.
//
// Every other case runs in float32 between a DequantizeLinear and a QuantizeLinear: Conv or
// Gemm with non-constant weights or bias (or a bias that is not per output channel), Gemm with
// alpha or beta other than 1, Clip with bounds given as inputs, and BatchNormalization (which
// the importer folds into a preceding Conv, Gemm or MatMul when it can).
// Thread-safety: pure function.
#ifndef TINYMLOPS_TOOLCHAIN_QUANTIZE_INT8_OP_RULES_H_
#define TINYMLOPS_TOOLCHAIN_QUANTIZE_INT8_OP_RULES_H_

#include <vector>

#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// What a float input of an int8 op becomes. Inputs that are not float32 (a Reshape's shape)
// pass through unchanged whatever their role.
enum class Int8InputRole {
  kActivation,  // int8 per tensor: calibrated, or a constant quantized on its own range
  kWeights,     // int8 per-channel symmetric on Int8OpRule::weight_axis
  kBias,        // int32, scale input_scale * weight_scale[c]
};

enum class Int8OutputParams {
  kCalibrated,   // from the output's calibrated range
  kSameAsInput,  // exactly input 0's parameters
  kSoftmax,      // 1/256, -128
  kSigmoid,      // 1/256, -128
  kTanh,         // 1/128, 0
};

struct Int8OpRule {
  bool runs_in_int8 = false;
  std::vector<Int8InputRole> inputs;  // one per op input
  int weight_axis = -1;               // for Int8InputRole::kWeights
  Int8OutputParams output = Int8OutputParams::kCalibrated;
  bool inputs_take_output_params = false;  // Concat: each input requantized to the output's
};

Int8OpRule Int8RuleFor(const Graph& graph, const OpDef& op);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_QUANTIZE_INT8_OP_RULES_H_

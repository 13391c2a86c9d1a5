// The one implementation behind the Add, Sub and Mul reference kernels (node.op->type()
// selects the arithmetic): NumPy broadcasting up to rank 6 (runtime/kernels/broadcast.h) and the
// fused activation of ElementwiseOptions (None, Relu, Clip).
//
// Dtypes (all three tensors share one):
// - float32: IEEE arithmetic, then the activation's real clamp.
// - int32, int64: exact integer arithmetic (wrapping on overflow, never undefined).
// - int8/uint8 with per-tensor quantization on all three tensors: TensorFlow Lite's integer
//   algorithms (reference_integer_ops::Add/Sub with left shift 20 and per-input multipliers;
//   Mul with one multiplier on the product), clamped to the activation's quantized range.
// - int8/uint8 without quantization on any tensor: modular integer arithmetic, as NumPy's.
// Errors (prepare): shapes that do not broadcast to the output, mixed dtypes, quantization on
// only some tensors. Eval never fails.
#ifndef TINYMLOPS_RUNTIME_KERNELS_REFERENCE_BINARY_OP_H_
#define TINYMLOPS_RUNTIME_KERNELS_REFERENCE_BINARY_OP_H_

#include "runtime/kernel.h"
#include "runtime/kernels/activation_range.h"

namespace tinymlops::runtime::reference {

// TensorFlow Lite's fixed-point parameters of quantized Add/Sub (and the Mul subset): Add/Sub
// compute output_offset + MultiplyByQuantizedMultiplier(a' +- b', output multiplier and shift)
// where x' = MultiplyByQuantizedMultiplier((x + input offset) << kAddLeftShift, input multiplier
// and shift); Mul uses only the output multiplier, on the product of the offset inputs.
constexpr int kAddLeftShift = 20;  // TFLite's headroom for 8-bit Add/Sub
struct QuantizedBinaryParams {
  int32_t input1_offset = 0;  // -zero_point of input 0
  int32_t input2_offset = 0;
  int32_t output_offset = 0;  // zero_point of the output
  int32_t input1_multiplier = 0;
  int input1_shift = 0;
  int32_t input2_multiplier = 0;
  int input2_shift = 0;
  int32_t output_multiplier = 0;
  int output_shift = 0;
  QuantizedRange range;
};

Status PrepareBinaryOp(PrepareContext& context, Node& node);
Status EvalBinaryOp(Node& node);

// After PrepareBinaryOp: the parameters of a quantized int8/uint8 node, nullptr for any other
// arithmetic (float, integer, unquantized bytes).
const QuantizedBinaryParams* QuantizedBinaryParamsOf(const Node& node);

}  // namespace tinymlops::runtime::reference

#endif  // TINYMLOPS_RUNTIME_KERNELS_REFERENCE_BINARY_OP_H_

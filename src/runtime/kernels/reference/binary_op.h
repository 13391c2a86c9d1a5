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

namespace tinymlops::runtime::reference {

Status PrepareBinaryOp(PrepareContext& context, Node& node);
Status EvalBinaryOp(Node& node);

}  // namespace tinymlops::runtime::reference

#endif  // TINYMLOPS_RUNTIME_KERNELS_REFERENCE_BINARY_OP_H_

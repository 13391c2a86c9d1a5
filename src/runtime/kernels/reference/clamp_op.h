// The one implementation behind the Relu and Clip reference kernels: y = min(max(x, low), high)
// with real bounds (Relu: [0, inf)); when low > high every value becomes high, as in ONNX.
//
// Dtypes (input and output share one):
// - float32: a clamp to the real bounds.
// - int8/uint8 with per-tensor quantization on input and output: when both carry the same
//   scale and zero point, a clamp to the bounds quantized on that grid (zero_point +
//   round(bound / scale)); otherwise each value is first requantized to the output's
//   parameters with integer-only arithmetic (as TFLite's quantized Relu), then clamped.
// - int8/uint8 without quantization, int32, int64: a clamp to [ceil(low), floor(high)].
// Errors (prepare): differing dtypes or shapes, a NaN bound, quantization on only one side.
#ifndef TINYMLOPS_RUNTIME_KERNELS_REFERENCE_CLAMP_OP_H_
#define TINYMLOPS_RUNTIME_KERNELS_REFERENCE_CLAMP_OP_H_

#include "runtime/kernel.h"
#include "runtime/kernels/activation_range.h"

namespace tinymlops::runtime::reference {

// Prepares `node` (input 0 -> output 0) to clamp to `bounds`; the op's other inputs, if any,
// are the caller's business.
Status PrepareClamp(PrepareContext& context, Node& node, FloatRange bounds);
Status EvalClamp(Node& node);

}  // namespace tinymlops::runtime::reference

#endif  // TINYMLOPS_RUNTIME_KERNELS_REFERENCE_CLAMP_OP_H_

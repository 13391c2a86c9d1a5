// The one implementation behind the Sigmoid and Tanh reference kernels (node.op->type() selects
// the function).
//
// float32: std::exp / std::tanh per element.
// int8/uint8 with per-tensor quantization on input and output (same dtype): integer-only via a
// 256-entry table filled at prepare time by TensorFlow Lite's reference integer algorithm:
// the centred input is rescaled to gemmlowp Q4.27 with an int32 multiplier (inputs beyond
// TFLite's input radius saturate), gemmlowp's fixed-point logistic/tanh gives a Q0.31 result,
// and that result is mapped to the output grid as zero_point + round(value / scale) (halves away
// from zero), clamped to the dtype. The table is exactly reproducible on every machine: the
// fixed-point steps are integer-only, and the final mapping uses one IEEE division and rounding
// (no transcendental libm calls). With TFLite's canonical output parameters (sigmoid: scale
// 1/256, zero point -128 for int8 / 0 for uint8; tanh: scale 1/128, zero point 0 / 128) the
// division is by a power of two and the table equals TFLite's RoundingDivideByPOT results
// byte for byte; other output parameters are supported too. Eval is a table lookup.
// Errors (prepare): differing dtypes or shapes, missing or per-axis quantization.
#ifndef TINYMLOPS_RUNTIME_KERNELS_REFERENCE_LOGISTIC_TANH_OP_H_
#define TINYMLOPS_RUNTIME_KERNELS_REFERENCE_LOGISTIC_TANH_OP_H_

#include "runtime/kernel.h"

namespace tinymlops::runtime::reference {

Status PrepareLogisticOrTanh(PrepareContext& context, Node& node);
Status EvalLogisticOrTanh(Node& node);

}  // namespace tinymlops::runtime::reference

#endif  // TINYMLOPS_RUNTIME_KERNELS_REFERENCE_LOGISTIC_TANH_OP_H_

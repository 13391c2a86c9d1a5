// Choosing int8 affine quantization parameters (real = scale * (q - zero_point)) and applying
// them to constant tensors, with the conventions of TensorFlow Lite's int8 scheme:
// - activations: int8 asymmetric, per tensor, from a real range that is first widened to hold 0
//   (so 0 is exactly representable: padding and ReLU are exact), zero point nudged as TFLite's
//   ChooseQuantizationParams;
// - weights: int8 symmetric per channel (zero point 0, scale max|w|/127, values in [-127, 127]);
// - fixed output parameters of Softmax and Sigmoid (1/256, -128) and Tanh (1/128, 0).
// A degenerate range (all zeros) gets scale 1 so that every requantization multiplier stays
// finite. (Biases: toolchain/graph/bias_quantization.h.) Errors: a per-channel axis outside
// the tensor. Thread-safety: pure functions.
#ifndef TINYMLOPS_TOOLCHAIN_QUANTIZE_QUANTIZATION_PARAMS_H_
#define TINYMLOPS_TOOLCHAIN_QUANTIZE_QUANTIZATION_PARAMS_H_

#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// Per-tensor int8 parameters covering the real range [min, max] widened to include 0.
QuantInfo ChooseActivationParams(float min, float max);

// TFLite's fixed int8 output parameters.
QuantInfo SoftmaxOutputParams();  // scale 1/256, zero point -128: [0, 1)
QuantInfo SigmoidOutputParams();  // scale 1/256, zero point -128: [0, 1)
QuantInfo TanhOutputParams();     // scale 1/128, zero point 0: [-1, 1)

// The int8 tensor holding float constant `weights` quantized symmetrically with one scale per
// index of `axis`; keeps the name and shape.
Result<TensorDef> QuantizeWeightsPerChannel(const TensorDef& weights, int axis);

// Per-tensor int8 parameters for float constant `values`, from the values' own range.
QuantInfo ChooseConstantParams(const TensorDef& values);

// The int8 tensor holding float constant `values` quantized with per-tensor `params` (a
// constant operand of Add, Sub, Mul, Concat...); keeps the name and shape.
TensorDef QuantizeConstant(const TensorDef& values, const QuantInfo& params);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_QUANTIZE_QUANTIZATION_PARAMS_H_

// Post-training int8 quantization of a float Graph, with TensorFlow Lite's int8 scheme.
//
// 1. Relu and Clip ops are fused into their producers (toolchain/graph/activation_fusion.h).
// 2. Calibration (calibration.h) runs the float model with the reference kernels over the
//    sample inputs and records, for every float activation, its range: min/max, or a
//    percentile of |x| (robust to outliers).
// 3. The graph is rewritten op by op following int8_op_rules.h: weights become int8 per-channel
//    symmetric (zero point 0, scale max|w|/127 per output channel), activations int8 asymmetric
//    per tensor (scale and zero point from the calibrated range, widened to hold 0), biases
//    int32 with scale input_scale * weight_scale[c]; Softmax, Sigmoid and Tanh outputs get
//    TFLite's fixed parameters; pools, Reshape, Transpose, Pad, Relu and Clip keep their input's
//    parameters, Concat inputs are requantized to the output's. Fused activations stay: the
//    int8 kernels clamp their outputs with them. A QuantizeLinear follows each float graph input
//    and a DequantizeLinear precedes each float graph output, so the model's interface (names,
//    shapes, float32) is unchanged.
// 4. An op with no int8 kernel for its case (see int8_op_rules.h: e.g. BatchNormalization, a
//    Conv with non-constant weights, a Gemm with alpha != 1) is not an error: it stays float32
//    between a DequantizeLinear and a QuantizeLinear.
// Requantization is integer-only (runtime/kernels/quantized_math.h): see docs/determinism.md.
// The result is deterministic: the same float graph and samples give the same int8 graph.
//
// Errors: no calibration samples; a sample that lacks a graph input, names another tensor, or
// whose dtype or shape does not match the input; a graph that is already quantized; a
// non-finite activation; a percentile outside (0, 100]. Thread-safety: pure function.
#ifndef TINYMLOPS_TOOLCHAIN_QUANTIZE_QUANTIZER_H_
#define TINYMLOPS_TOOLCHAIN_QUANTIZE_QUANTIZER_H_

#include <map>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

enum class CalibrationMethod { kMinMax, kPercentile };

struct QuantizeOptions {
  CalibrationMethod method = CalibrationMethod::kMinMax;
  double percentile = 99.99;  // used by kPercentile: the |x| percentile that bounds the range
};

// One calibration sample: graph input name -> float tensor (shape of that input).
using CalibrationSample = std::map<std::string, TensorDef>;

Result<Graph> QuantizeGraph(const Graph& float_graph, const std::vector<CalibrationSample>& samples,
                            const QuantizeOptions& options);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_QUANTIZE_QUANTIZER_H_

// Post-training int8 quantization of a float Graph.
//
// Calibration runs the float model in the runtime over sample inputs and records, for every
// float activation, its range: min/max, or a percentile of |x| (robust to outliers). Then:
// weights become int8 per-channel symmetric (zero point 0, scale max|w|/127 per output channel),
// activations int8 asymmetric (scale and zero point from the calibrated range, widened to hold
// 0), biases int32 with scale input_scale * weight_scale. Conv, Gemm, MatMul, Add, Sub, Mul,
// pools, Concat, Softmax, Sigmoid, Tanh, Relu/Clip (fused where possible), Reshape, Transpose and
// Pad run in int8; a QuantizeLinear is inserted after each float graph input and a
// DequantizeLinear before each float graph output, so the model's interface stays float.
// Requantization is integer-only (runtime/kernels/quantized_math.h): see docs/determinism.md.
//
// Errors: no calibration samples, a sample whose shape does not match the input, an op with
// no int8 kernel. Thread-safety: pure function.
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

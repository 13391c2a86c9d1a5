// Quantization of the bias of a quantized Conv, Gemm or MatMul: int32 with scale
// input_scale * weight_scale (per output channel when the weight is per-channel), zero point 0,
// as ONNX QLinearConv and TensorFlow Lite define it. Thread-safety: pure functions.
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_BIAS_QUANTIZATION_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_BIAS_QUANTIZATION_H_

#include <cstdint>
#include <vector>

#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// The bias QuantInfo for a per-tensor `input` and a per-tensor or per-channel `weight`.
QuantInfo BiasQuantization(const QuantInfo& input, const QuantInfo& weight);

// `real` bias values (one per output channel, or one for all) rounded to int32 under
// `bias_quant` (from BiasQuantization), saturating at the int32 range.
std::vector<int32_t> QuantizeBias(const std::vector<float>& real, const QuantInfo& bias_quant);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_BIAS_QUANTIZATION_H_

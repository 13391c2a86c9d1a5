// Quantization parameters of ONNX nodes (QuantizeLinear, DequantizeLinear, QLinearConv,
// QLinearMatMul): reading constant scale and zero-point inputs into a QuantInfo and attaching
// it to the quantized tensor they describe. Thread-safety: pure functions over the node state.
#ifndef TINYMLOPS_TOOLCHAIN_ONNX_ONNX_QUANTIZATION_H_
#define TINYMLOPS_TOOLCHAIN_ONNX_ONNX_QUANTIZATION_H_

#include <vector>

#include "runtime/status.h"
#include "toolchain/onnx/onnx_node.h"

namespace tinymlops::toolchain {

// Scale (constant float, one value or one per index of `axis` of `shape`) and optional zero
// point (input `zero_point_input`, constant int8/uint8/int32 of the same count; absent: zeros)
// of a tensor of `shape`. `axis` may be negative (counted from the end). When the zero point is
// present, `*zero_point_dtype` receives its dtype.
Result<QuantInfo> ReadQuantInfo(const OnnxNode& node, int scale_input, int zero_point_input,
                                int64_t axis, const std::vector<int32_t>& shape,
                                DType* zero_point_dtype);

// Gives node input `input` the quantization `quant` and returns the tensor index to use: the
// input itself, or a copy when it is a constant that already carries other parameters. An
// activation already carrying other parameters is an error.
Result<int> QuantizedInput(OnnxNode& node, int input, const QuantInfo& quant);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_ONNX_ONNX_QUANTIZATION_H_

// The layout of a tensor's quantization parameters over its elements: per-tensor parameters
// apply to all of them; per-axis parameters (QuantParams.axis) apply to the slice at each index
// of that axis. Elements are visited as [outer, channels, inner], parameter `c` covering the
// `inner` contiguous elements of every outer index at channel c. Used by QuantizeLinear and
// DequantizeLinear. Errors (prepare): an unquantized tensor, an axis outside the tensor, or a
// scale count that is not the axis's dim. Thread-safety: pure.
#ifndef TINYMLOPS_RUNTIME_KERNELS_QUANTIZATION_AXIS_H_
#define TINYMLOPS_RUNTIME_KERNELS_QUANTIZATION_AXIS_H_

#include <cstdint>

#include "runtime/kernel.h"

namespace tinymlops::runtime {

struct QuantizationAxis {
  int64_t outer = 1;
  int32_t channels = 1;  // number of scales
  int64_t inner = 1;
};

// Splits quantized `tensor` (named `role` in errors) around its quantization axis.
Status SplitAtQuantizationAxis(const Node& node, const Tensor& tensor, const char* role,
                               QuantizationAxis* split);

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_QUANTIZATION_AXIS_H_

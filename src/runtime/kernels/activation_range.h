// The range an op's output values are clamped to: the output dtype's range intersected with the
// op's fused activation (tmm::Activation: None, Relu, or Clip with real bounds).
//
// Float outputs clamp to the real bounds. Quantized (int8/uint8) outputs clamp to the bounds
// quantized with the output tensor's per-tensor parameters, as TensorFlow Lite does:
// q = zero_point + round(real / scale), then intersected with the dtype's range.
// Errors (at prepare time): a Clip with clip_min > clip_max, or a quantized output without
// per-tensor quantization. Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_ACTIVATION_RANGE_H_
#define TINYMLOPS_RUNTIME_KERNELS_ACTIVATION_RANGE_H_

#include <cstdint>

#include "runtime/kernel.h"

namespace tinymlops::runtime {

struct FloatRange {
  float min;
  float max;

  float Clamp(float value) const { return value < min ? min : (value > max ? max : value); }
};

struct QuantizedRange {
  int32_t min;
  int32_t max;

  int32_t Clamp(int32_t value) const { return value < min ? min : (value > max ? max : value); }
};

// [-128, 127] for int8, [0, 255] for uint8; `dtype` must be one of them.
QuantizedRange QuantizedDTypeRange(DType dtype);

// The real clamp range of `activation` (nullptr means None) for a float output of `node`.
Status FloatActivationRange(const Node& node, const tmm::Activation* activation, FloatRange* range);

// The quantized clamp range of `activation` (nullptr means None) for `output`, an int8 or uint8
// tensor with per-tensor quantization.
Status QuantizedActivationRange(const Node& node, const tmm::Activation* activation,
                                const Tensor& output, QuantizedRange* range);

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_ACTIVATION_RANGE_H_

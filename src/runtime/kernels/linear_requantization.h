// LinearRequantization: the integer arithmetic of a quantized linear op (Conv, Gemm, MatMul)
// with TensorFlow Lite's scheme. For output channel c:
//   acc = bias[c] + sum((x - input_zero_point) * (w - weight_zero_point[c]))
//   y   = clamp(MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + output_zero_point)
// with multiplier[c] * 2^(shift[c] - 31) = x_scale * w_scale[c] / y_scale, and the clamp range
// the output dtype's range intersected with the fused activation (activation_range.h).
//
// PrepareLinearRequantization checks, at prepare time, that X and Y are int8 or uint8 of the
// same dtype with per-tensor quantization, that W is int8 or uint8 quantized per tensor or per
// channel along `weight_channel_axis`, computes the multipliers and stores them in persistent
// memory. Eval is integer-only. Thread-safety: read-only after prepare.
#ifndef TINYMLOPS_RUNTIME_KERNELS_LINEAR_REQUANTIZATION_H_
#define TINYMLOPS_RUNTIME_KERNELS_LINEAR_REQUANTIZATION_H_

#include <cstdint>

#include "runtime/kernel.h"
#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/quantized_math.h"

namespace tinymlops::runtime {

struct LinearRequantization {
  int32_t input_zero_point;
  int32_t output_zero_point;
  QuantizedRange output_range;
  int channel_count;                 // 1 when the weights are quantized per tensor
  const int32_t* weight_zero_point;  // channel_count entries (the model's quantization data)
  const int32_t* multiplier;         // channel_count entries
  const int* shift;                  // channel_count entries

  int32_t Input(int32_t x) const { return x - input_zero_point; }
  int32_t Weight(int32_t w, int channel) const { return w - weight_zero_point[Index(channel)]; }
  // The output value of an accumulator (bias included) of output channel `channel`.
  int32_t Output(int32_t accumulator, int channel) const {
    const int index = Index(channel);
    return output_range.Clamp(
        MultiplyByQuantizedMultiplier(accumulator, multiplier[index], shift[index]) +
        output_zero_point);
  }

 private:
  int Index(int channel) const { return channel_count == 1 ? 0 : channel; }
};

// Fills `requantization` for `node` with `channels` output channels, whose weights run along
// dim `weight_channel_axis` of `weights`. `activation` may be null.
Status PrepareLinearRequantization(PrepareContext& context, const Node& node, const Tensor& input,
                                   const Tensor& weights, int weight_channel_axis, int channels,
                                   const Tensor& output, const tmm::Activation* activation,
                                   LinearRequantization* requantization);

// Checks the bias of a quantized linear op: int32 and, when it carries quantization, zero
// points 0 and scales x_scale * w_scale[c] (per tensor or per channel). Call it after
// PrepareLinearRequantization has accepted `input` and `weights`.
Status CheckQuantizedBias(const Node& node, const Tensor& bias, const Tensor& input,
                          const Tensor& weights, int channels);

// The eval function `Kernel<X, W>::Eval` for input dtype `input` and weight dtype `weights`
// (each int8 or uint8, as PrepareLinearRequantization has checked).
template <template <typename, typename> class Kernel>
EvalFn QuantizedLinearEval(DType input, DType weights) {
  if (input == DType::kInt8)
    return weights == DType::kInt8 ? Kernel<int8_t, int8_t>::Eval : Kernel<int8_t, uint8_t>::Eval;
  return weights == DType::kInt8 ? Kernel<uint8_t, int8_t>::Eval : Kernel<uint8_t, uint8_t>::Eval;
}

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_LINEAR_REQUANTIZATION_H_

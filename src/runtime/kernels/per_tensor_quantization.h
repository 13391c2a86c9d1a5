// Per-tensor affine quantization of int8/uint8 tensors (real = scale * (q - zero_point)) as the
// kernels' prepare functions need it: a uniform check with a precise error, equality of two
// tensors' parameters, rounding a real value onto a tensor's grid, and requantization from one
// tensor's parameters to another's with integer-only arithmetic (TFLite's int32 multiplier and
// shift, runtime/kernels/quantized_math.h), so eval is bit-exact on every machine.
// Errors (prepare time only): a tensor that is not int8/uint8 with one positive, finite scale
// and an in-range zero point; a scale ratio too large to requantize. Thread-safety: pure.
#ifndef TINYMLOPS_RUNTIME_KERNELS_PER_TENSOR_QUANTIZATION_H_
#define TINYMLOPS_RUNTIME_KERNELS_PER_TENSOR_QUANTIZATION_H_

#include <cstdint>

#include "runtime/kernel.h"
#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/quantized_math.h"

namespace tinymlops::runtime {

// OK when `tensor` is int8 or uint8 with per-tensor quantization: one positive finite scale and
// a zero point inside the dtype's range. `role` names the tensor in the error ("input 0").
Status CheckPerTensorQuantized(const Node& node, const Tensor& tensor, const char* role);

// True when both tensors carry the same per-tensor scale and zero point (dtypes may differ).
bool SameQuantization(const Tensor& a, const Tensor& b);

// OK when `output` carries `input`'s quantization, as an op that only moves values (Transpose,
// Pad) needs: both unquantized, both per-tensor with equal parameters, or both per-axis with
// the same number of scales.
Status CheckQuantizationPreserved(const Node& node, const Tensor& input, const Tensor& output);

// zero_point + round(real / scale) (halves away from zero, as TFLite), saturated to the range
// of `tensor`'s dtype; `tensor` must pass CheckPerTensorQuantized. `real` may be infinite.
int32_t QuantizeToTensor(float real, const Tensor& tensor);

// Maps a quantized value of one tensor onto another tensor's parameters:
// q_out = output_zero_point + round((q_in - input_zero_point) * input_scale / output_scale),
// halves away from zero. The centred input is first shifted left by up to 20 bits (as TFLite's
// 8-bit Add does) so that the fixed-point product is rounded once, at the end; TFLite's own
// Requantize skips that shift and can round a value up to a quarter step away from a tie the
// wrong way.
struct Requantization {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t multiplier = 0;
  int shift = 0;  // of the multiplier, net of input_left_shift
  int input_left_shift = 0;

  // The unclamped requantized value of `q` (an int8 or uint8 value).
  int32_t Apply(int32_t q) const {
    return output_zero_point +
           MultiplyByQuantizedMultiplier((q - input_zero_point) * (1 << input_left_shift),
                                         multiplier, shift);
  }
};

// The requantization from `input` to `output` (both checked with CheckPerTensorQuantized).
// Fails when input_scale / output_scale is 2^16 or more: the shifted value would overflow.
Status MakeRequantization(const Node& node, const Tensor& input, const Tensor& output,
                          Requantization* requantization);

// Requantizes `count` values and clamps them to `range` (within Out's range).
template <typename In, typename Out>
void RequantizeValues(const In* input, Out* output, int64_t count,
                      const Requantization& requantization, QuantizedRange range) {
  for (int64_t i = 0; i < count; ++i)
    output[i] = static_cast<Out>(range.Clamp(requantization.Apply(input[i])));
}

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_PER_TENSOR_QUANTIZATION_H_

// QuantizedAverage: the integer-only output stage of the quantized AveragePool and
// GlobalAveragePool kernels. Eval sums a window's (q - input_zero_point) in int32 and this
// turns the sum over `count` elements into an output value:
// - input and output share scale and zero point: TensorFlow Lite's rounding average of the raw
//   values, (raw_sum +- count / 2) / count, halves away from zero;
// - otherwise output_zero_point + round(sum * input_scale / (output_scale * count)), with one
//   fixed-point multiplier per possible count, computed at prepare time (quantized_math.h).
// The result is clamped to the output dtype's range.
// PrepareQuantizedAverage checks both tensors (int8/uint8, same dtype, per-tensor) and fails on
// an input/output scale ratio of 2^16 or more. Thread-safety: read-only after prepare.
#ifndef TINYMLOPS_RUNTIME_KERNELS_QUANTIZED_AVERAGE_H_
#define TINYMLOPS_RUNTIME_KERNELS_QUANTIZED_AVERAGE_H_

#include <cstdint>

#include "runtime/kernel.h"
#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/quantized_math.h"

namespace tinymlops::runtime {

struct QuantizedAverage {
  int32_t input_zero_point;
  int32_t output_zero_point;
  bool same_quantization;
  int32_t min_count;          // counts eval may pass lie in [min_count, max_count]
  const int32_t* multiplier;  // per count - min_count; null when same_quantization
  const int* shift;
  QuantizedRange output_range;

  int32_t Input(int32_t q) const { return q - input_zero_point; }
  // The output value for `sum` of Input() over `count` elements.
  int32_t Average(int32_t sum, int32_t count) const {
    if (same_quantization) {
      const int32_t raw_sum = sum + count * input_zero_point;
      const int32_t half = count / 2;
      return output_range.Clamp(raw_sum >= 0 ? (raw_sum + half) / count : (raw_sum - half) / count);
    }
    const int32_t index = count - min_count;
    return output_range.Clamp(MultiplyByQuantizedMultiplier(sum, multiplier[index], shift[index]) +
                              output_zero_point);
  }
};

// Fills `average` for `node` averaging `input` into `output` over windows of min_count to
// max_count elements (1 <= min_count <= max_count).
Status PrepareQuantizedAverage(PrepareContext& context, const Node& node, const Tensor& input,
                               const Tensor& output, int32_t min_count, int32_t max_count,
                               QuantizedAverage* average);

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_QUANTIZED_AVERAGE_H_

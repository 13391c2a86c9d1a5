// The clamp range of an unquantized integer tensor (int8, uint8, int32, int64): its dtype's
// range intersected with real bounds [ceil(min), floor(max)], as a fused Relu or Clip (or the
// Clip op) applies to plain integers. Bounds beyond the dtype saturate; infinite bounds are
// fine. Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_INTEGER_RANGE_H_
#define TINYMLOPS_RUNTIME_KERNELS_INTEGER_RANGE_H_

#include <cstdint>

#include "runtime/kernels/activation_range.h"
#include "runtime/tensor.h"

namespace tinymlops::runtime {

struct IntegerRange {
  int64_t min;
  int64_t max;

  template <typename T>
  T Clamp(T value) const {
    const T low = static_cast<T>(min), high = static_cast<T>(max);
    return value < low ? low : (value > high ? high : value);
  }
};

// `dtype` must be an integer dtype; `bounds` must have min <= max (checked by the caller).
IntegerRange IntegerClampRange(DType dtype, FloatRange bounds);

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_INTEGER_RANGE_H_

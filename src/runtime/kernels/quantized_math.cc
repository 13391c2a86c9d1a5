#include "runtime/kernels/quantized_math.h"

#include <cmath>

namespace tinymlops::runtime {

void QuantizeMultiplier(double real_multiplier, int32_t* quantized_multiplier, int* shift) {
  if (real_multiplier <= 0.0) {
    *quantized_multiplier = 0;
    *shift = 0;
    return;
  }
  // frexp is exact (it only splits the binary representation).
  const double q = std::frexp(real_multiplier, shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++*shift;
  }
  // Multipliers too small to represent become zero, as in TensorFlow Lite.
  if (*shift < -31) {
    *shift = 0;
    q_fixed = 0;
  }
  // Shifts above 30 cannot be applied to an int32 without overflow; saturate.
  if (*shift > 30) {
    *shift = 30;
    q_fixed = (int64_t{1} << 31) - 1;
  }
  *quantized_multiplier = static_cast<int32_t>(q_fixed);
}

}  // namespace tinymlops::runtime

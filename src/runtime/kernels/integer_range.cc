#include "runtime/kernels/integer_range.h"

#include <cmath>
#include <limits>

namespace tinymlops::runtime {

IntegerRange IntegerClampRange(DType dtype, FloatRange bounds) {
  int64_t type_min = std::numeric_limits<int64_t>::min();
  int64_t type_max = std::numeric_limits<int64_t>::max();
  if (dtype == DType::kInt8) {
    type_min = -128, type_max = 127;
  } else if (dtype == DType::kUInt8) {
    type_min = 0, type_max = 255;
  } else if (dtype == DType::kInt32) {
    type_min = std::numeric_limits<int32_t>::min();
    type_max = std::numeric_limits<int32_t>::max();
  }
  // Compared in double: a bound beyond the type's range saturates before any conversion.
  const double low = std::ceil(static_cast<double>(bounds.min));
  const double high = std::floor(static_cast<double>(bounds.max));
  auto saturate = [&](double value) {
    if (!(value > static_cast<double>(type_min))) return type_min;
    if (value >= static_cast<double>(type_max)) return type_max;
    return static_cast<int64_t>(value);
  };
  return {saturate(low), saturate(high)};
}

}  // namespace tinymlops::runtime

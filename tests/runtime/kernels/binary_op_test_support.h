// Support for the Add/Sub/Mul kernel tests: ElementwiseOptions with a fused activation, and
// obviously-correct references: NumPy broadcasting by index arithmetic, and the ideal result
// of a quantized op re-derived in double precision.
#ifndef TINYMLOPS_TESTS_RUNTIME_KERNELS_BINARY_OP_TEST_SUPPORT_H_
#define TINYMLOPS_TESTS_RUNTIME_KERNELS_BINARY_OP_TEST_SUPPORT_H_

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "format/tmm_generated.h"

namespace tinymlops::kernel_test {

inline tmm::OpOptionsUnion FusedActivation(tmm::ActivationType type, float clip_min = 0.0f,
                                           float clip_max = 0.0f) {
  tmm::ElementwiseOptionsT options;
  options.activation = std::make_unique<tmm::ActivationT>();
  options.activation->type = type;
  options.activation->clip_min = clip_min;
  options.activation->clip_max = clip_max;
  tmm::OpOptionsUnion union_options;
  union_options.Set(std::move(options));
  return union_options;
}

// Shape of broadcasting `a` with `b` (assumed compatible).
inline std::vector<int32_t> BroadcastShape(const std::vector<int32_t>& a,
                                           const std::vector<int32_t>& b) {
  const size_t rank = a.size() > b.size() ? a.size() : b.size();
  std::vector<int32_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int32_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const int32_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Flat index into an input of `shape` for the output element at `out_index` of `out_shape`.
inline int64_t BroadcastSource(int64_t out_index, const std::vector<int32_t>& out_shape,
                               const std::vector<int32_t>& shape) {
  int64_t source = 0, stride = 1;
  for (size_t k = 0; k < out_shape.size(); ++k) {
    const size_t d = out_shape.size() - 1 - k;
    const int64_t coordinate = out_index % out_shape[d];
    out_index /= out_shape[d];
    if (k < shape.size()) {
      const int32_t dim = shape[shape.size() - 1 - k];
      if (dim != 1) source += coordinate * stride;
      stride *= dim;
    }
  }
  return source;
}

// out[i] = fn(a[source_a(i)], b[source_b(i)]) over the broadcast shape.
template <typename T, typename Fn>
std::vector<T> NaiveBroadcast(const std::vector<T>& a, const std::vector<int32_t>& a_shape,
                              const std::vector<T>& b, const std::vector<int32_t>& b_shape, Fn fn) {
  const std::vector<int32_t> out_shape = BroadcastShape(a_shape, b_shape);
  int64_t count = 1;
  for (int32_t d : out_shape) count *= d;
  std::vector<T> out(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    out[i] =
        fn(a[BroadcastSource(i, out_shape, a_shape)], b[BroadcastSource(i, out_shape, b_shape)]);
  return out;
}

// The exact quantized output a real value should map to, as a double before rounding:
// real / scale + zero_point. Tests require an exact match when it is not within `margin` of a
// rounding tie, and at most one step off when it is.
inline double IdealQuantized(double real, double scale, int32_t zero_point) {
  return real / scale + zero_point;
}

inline bool NearTie(double ideal, double margin) {
  const double fraction = ideal - std::floor(ideal);
  return std::fabs(fraction - 0.5) < margin;
}

}  // namespace tinymlops::kernel_test

#endif  // TINYMLOPS_TESTS_RUNTIME_KERNELS_BINARY_OP_TEST_SUPPORT_H_

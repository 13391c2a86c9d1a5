// The float32 fast path shared by the optimized Gemm and MatMul kernels:
//   Y[rows, cols] = clamp(A * (scale * B) + bias)
// where B [depth, cols] is a constant packed once into column panels (sgemm.h) and A is the
// activation input 0 read with arbitrary strides. Bias, when present, is one value per column
// (already multiplied by Gemm's beta). The clamp is the fused activation's range.
// PrepareFloatLinear copies what eval needs into persistent memory and switches node.eval to
// EvalFloatLinear, unless depth is 0 (the node then keeps the reference eval). Errors:
// persistent memory exhausted. Thread-safety: as kernel.h.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLOAT_LINEAR_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLOAT_LINEAR_H_

#include <cstddef>

#include "runtime/kernel.h"
#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

// A strided view of a matrix: element (i, j) is data[i * row_stride + j * column_stride].
struct MatrixView {
  const float* data = nullptr;
  ptrdiff_t row_stride = 0;
  ptrdiff_t column_stride = 0;
};

struct FloatLinearSpec {
  int rows = 0;
  int depth = 0;
  int cols = 0;
  ptrdiff_t a_row_stride = 0;  // strides of A (input 0), in elements
  ptrdiff_t a_depth_stride = 0;
  MatrixView b;  // [depth, cols], constant
  float b_scale = 1.0f;
  MatrixView bias;  // one row: bias (j) = data[j * column_stride]; data may be null
  float bias_scale = 1.0f;
  FloatRange clamp{};
};

Status PrepareFloatLinear(PrepareContext& context, Node& node, const FloatLinearSpec& spec);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLOAT_LINEAR_H_

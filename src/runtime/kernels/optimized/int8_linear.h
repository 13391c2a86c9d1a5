// The quantized fast path shared by the optimized Gemm and MatMul kernels, bit-identical with
// the reference kernels: for output column n,
//   acc = bias[n] + sum_k (a[k] - input_zero_point) * (b[k, n] - weight_zero_point[n])
//   y   = LinearRequantization::Output(acc, n)        (linear_requantization.h)
// B [depth, cols] (int8 or uint8) is a constant: prepare subtracts its zero points and packs it
// as int16 pairs of consecutive k, so eval multiplies with vpdpwssd (AVX-512 VNNI; else
// vpmaddwd, AVX-512 or AVX2), whose int32 sums of two int16 products are exact; accumulation is
// in int32, as in the reference. The requantization is linear_requantization.h's, applied to a
// vector of columns at once by vector_requantization.h, so the result is the reference's to the
// bit.
// A (int8 or uint8, input 0) is read with arbitrary strides; its rows of zero-point-corrected
// int16 pairs go through node.scratch. Bias, when present, is int32 with one value per column.
// PrepareInt8Linear switches node.eval. Errors: those of PrepareLinearRequantization, and
// persistent memory exhausted. Thread-safety: as kernel.h.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_LINEAR_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_LINEAR_H_

#include <cstddef>

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT
#define TINYMLOPS_OPTIMIZED_INT8_LINEAR 1

namespace tinymlops::runtime::optimized {

struct Int8LinearSpec {
  int rows = 0;
  int depth = 0;
  int cols = 0;
  ptrdiff_t a_row_stride = 0;  // strides of A (input 0), in elements
  ptrdiff_t a_depth_stride = 0;
  const Tensor* b = nullptr;  // constant, int8 or uint8
  ptrdiff_t b_depth_stride = 0;
  ptrdiff_t b_col_stride = 0;
  int b_channel_axis = 0;         // the dim of B along which its quantization runs per column
  const int32_t* bias = nullptr;  // bias (n) = bias[n * bias_col_stride]; may be null
  ptrdiff_t bias_col_stride = 0;
  const tmm::Activation* activation = nullptr;
};

Status PrepareInt8Linear(PrepareContext& context, Node& node, const Int8LinearSpec& spec);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_LINEAR_H_

// Float32 GEMM with one constant operand packed once at prepare time: C = A * B + bias, clamped
// to a fused activation's range while storing (AVX-512 or AVX2, see simd.h).
//
// Two layouts, for the two ways the runtime multiplies by constant weights:
// - Row panels (PackRowPanels / GemmPackedA): A [M, K] is constant (convolution weights, one row
//   per output channel), B is the convolution's input seen through its FlatConvLayout
//   (flat_conv_layout.h): row k of B (tap k) is read at planes + tap_offsets[k] + p for flat
//   position p, and C's rows are output channels. Bias is per row.
// - Column panels (PackColumnPanels / GemmPackedB): B [K, N] is constant (Gemm / MatMul
//   weights), A is the activation with arbitrary strides. Bias is per column.
// Packed buffers hold PackedRowPanelsFloats / PackedColumnPanelsFloats floats (zero-padded);
// any alignment works (unaligned loads are used).
// No allocation, no failure: shapes are validated by the caller's prepare, and K >= 1.
// Thread-safety: pure functions over caller-owned memory.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_SGEMM_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_SGEMM_H_

#include <cstddef>
#include <cstdint>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/optimized/flat_conv_layout.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

// Bias added to every output before the clamp: per row (row panels) or per column (column
// panels); nullptr for none.
struct GemmEpilogue {
  const float* bias = nullptr;
  FloatRange clamp;
};

// Floats needed to pack an [m, k] matrix into row panels.
size_t PackedRowPanelsFloats(int m, int k);
// Packs A, whose element (i, j) is a[i * row_stride + j * column_stride], into row panels.
void PackRowPanels(const float* a, ptrdiff_t row_stride, ptrdiff_t column_stride, int m, int k,
                   float* packed);

// B and C of GemmPackedA.
struct FlatConvOperands {
  const FlatConvLayout* layout;
  const float* planes;         // B: the input planes of the channels A's rows read
  const int32_t* tap_offsets;  // K offsets (FillFlatConvTapOffsets)
  float* output;               // C: output channel i (row i) at output + i * channel_stride
  ptrdiff_t channel_stride;
};
// Output channels [0, m) = A (packed rows, [m, k]) * B + row bias, clamped.
void GemmPackedA(const float* packed_a, int m, int k, const FlatConvOperands& operands,
                 const GemmEpilogue& epilogue);

// Floats needed to pack a [k, n] matrix into column panels.
size_t PackedColumnPanelsFloats(int k, int n);
// Packs scale * B, whose element (i, j) is b[i * row_stride + j * column_stride], into column
// panels (the scale folds Gemm's alpha into the weights).
void PackColumnPanels(const float* b, ptrdiff_t row_stride, ptrdiff_t column_stride, int k, int n,
                      float scale, float* packed);
// C[m, n] (row stride ldc) = A * B (packed columns) + column bias, clamped; A's element (i, j)
// is a[i * a_row_stride + j * a_column_stride].
void GemmPackedB(const float* a, ptrdiff_t a_row_stride, ptrdiff_t a_column_stride, int m, int k,
                 const float* packed_b, int n, float* c, ptrdiff_t ldc,
                 const GemmEpilogue& epilogue);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_SGEMM_H_

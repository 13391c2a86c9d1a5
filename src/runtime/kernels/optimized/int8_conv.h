// The int8/uint8 Conv paths of the optimized kernel set (AVX-512 VNNI), bit-identical with the
// reference kernel (reference/conv.cc): the same int32 accumulator
//   acc[m, p] = bias[m] + sum_k (x[k, p] - x_zero_point) * (w[m, k] - w_zero_point[m])
// (padding taps contribute nothing) and the same requantization and clamp
// (linear_requantization.h, applied per lane by vector_requantization.h).
//
// - depthwise (group == input channels == output channels): int8_pixel_depthwise_conv.h (integer
//   sums, output pixels in the lanes) where its windows fit, else int8_depthwise_conv.h;
// - anything else (pointwise, KxK, strided, dilated, grouped): an implicit GEMM. Each group's
//   input is copied once per image into scratch as a zero-point-padded plane of channel quads
//   (one uint32 per pixel holding 4 consecutive channels, made unsigned by flipping the sign
//   bit of int8 data), so that 4 multiply-adds of one output channel are one _mm512_dpbusd_epi32
//   lane, 16 output pixels of a row are one vector, and a kernel tap is a fixed offset into the
//   plane. Where those vectors would be mostly empty, an im2col layout makes all the pixels of
//   a group one row instead: output rows narrower than a vector copy each tap's view of the
//   planes into a row (quad im2col); fewer than 4 input channels pack patch elements, not
//   channels, into the quads (patch im2col, e.g. a first layer on a 1-channel spectrogram).
//   Weights are packed once at prepare (signed bytes, in the order the layout reads them), and
//   the zero points are folded in with the exact int32 identity of int8_conv_channels.h (its
//   DotProductChannel); sum xu is computed only when some weight zero point is nonzero.
// PrepareInt8Conv runs after the reference prepare has validated the node. It switches node.eval
// when the weights (and bias) are constants and the node is 1-D or 2-D; otherwise the reference
// eval stays. Errors: persistent memory exhausted. Thread-safety: as kernel.h.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_CONV_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_CONV_H_

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/simd.h"

#if defined(TINYMLOPS_OPTIMIZED_AVX512) && defined(__AVX512VNNI__)
#define TINYMLOPS_OPTIMIZED_INT8_CONV 1

namespace tinymlops::runtime::optimized {

Status PrepareInt8Conv(PrepareContext& context, Node& node);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512 && __AVX512VNNI__
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_CONV_H_

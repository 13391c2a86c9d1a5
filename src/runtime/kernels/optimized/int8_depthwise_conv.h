// The int8/uint8 depthwise Conv (group == input channels == output channels) of the optimized
// kernel set (AVX-512), bit-identical with the reference kernel: for channel c,
//   acc = bias[c] + sum over the window of (x - x_zero_point) * (w[c] - w_zero_point[c])
// in int32 (padding taps contribute nothing), then linear_requantization.h's requantization and
// clamp, applied per lane by vector_requantization.h.
// Each channel is first copied into scratch as a zero-bordered int32 plane of x - x_zero_point,
// so that a kernel tap is a fixed offset and padding needs no test. Stride 1 then runs over the
// padded plane as one flat array (a vector spans several short rows; the columns that fall in
// the padding are computed and dropped), any other stride row by row with strided loads. Any
// kernel size, dilation and padding.
// PrepareInt8DepthwiseConv is called by PrepareInt8Conv (int8_conv.h) for a validated depthwise
// node with constant weights and bias, 1-D or 2-D; it switches node.eval. Errors: persistent
// memory exhausted. Thread-safety: as kernel.h.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_DEPTHWISE_CONV_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_DEPTHWISE_CONV_H_

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

namespace tinymlops::runtime::optimized {

Status PrepareInt8DepthwiseConv(PrepareContext& context, Node& node, const ConvGeometry& geometry);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_DEPTHWISE_CONV_H_

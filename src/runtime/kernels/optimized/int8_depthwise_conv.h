// The int8/uint8 depthwise Conv (group == input channels == output channels) of the optimized
// kernel set (AVX-512 or AVX2), bit-identical with the reference kernel: for channel c,
//   acc = bias[c] + sum over the window of (x - x_zero_point) * (w[c] - w_zero_point[c])
// in int32 (padding taps contribute nothing), then linear_requantization.h's requantization and
// clamp, applied per lane by vector_requantization.h.
// The window sums run on a float32 depthwise kernel (blocked_depthwise_conv.h where it fits
// and a chunk holds a block of kFloatLanes channels, else depthwise_conv.h), exact under the
// bound of int8_conv_channels.h. A chunk of channels (whole blocks for the blocked kernel) is
// converted to float x - x_zero_point in scratch, convolved without bias or clamp, and the sums
// converted back to int32 (exact), biased and requantized. A node whose weights break the bound
// (more than 257 taps of large weights) keeps the reference kernel. PrepareInt8DepthwiseConv is
// called by PrepareInt8Conv (int8_conv.h) or PrepareInt8FloatConv (int8_float_conv.h) for a
// validated depthwise node with constant weights and bias, 1-D or 2-D; it switches node.eval.
// Errors: persistent memory exhausted. Thread-safety: as kernel.h.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_DEPTHWISE_CONV_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_DEPTHWISE_CONV_H_

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

Status PrepareInt8DepthwiseConv(PrepareContext& context, Node& node, const ConvGeometry& geometry);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_DEPTHWISE_CONV_H_

// The int8/uint8 Conv of the optimized kernel set on builds without the integer kernels of
// int8_conv.h (AVX2, or AVX-512 without VNNI), bit-identical with the reference kernel:
//   acc[m, p] = bias[m] + sum_k (x[k, p] - x_zero_point) * (w[m, k] - w_zero_point[m])
// in int32 (padding taps contribute nothing), then linear_requantization.h's requantization and
// clamp, applied per vector by vector_requantization.h.
// A depthwise node goes to int8_depthwise_conv.h. Any other (pointwise, KxK, strided, dilated,
// grouped) sums on the float32 paths of float_conv.h, exact under the bound of
// int8_conv_channels.h: prepare packs w - w_zero_point as floats into the float Conv's layout;
// each eval converts one image to floats x - x_zero_point in scratch, convolves it without bias
// or clamp into a float scratch output, and converts the sums back to int32 (exact), biased and
// requantized per channel. A node whose weights break the bound, or whose layout fits no float
// path, keeps the reference kernel.
// PrepareInt8FloatConv runs after the reference prepare has validated the node; it switches
// node.eval when the weights (and bias) are constants and the node is 1-D or 2-D. Errors:
// persistent memory exhausted. Thread-safety: as kernel.h.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_FLOAT_CONV_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_FLOAT_CONV_H_

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

Status PrepareInt8FloatConv(PrepareContext& context, Node& node);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_FLOAT_CONV_H_

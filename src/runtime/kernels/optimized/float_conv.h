// The float32 Conv paths of the optimized kernel set (AVX-512 or AVX2). Neither builds an im2col
// matrix: both read the input through the convolution's FlatConvLayout (flat_conv_layout.h),
// zero-padded and split into stride phases in scratch at each eval unless the convolution
// (stride 1, no padding) can read the input itself.
// - depthwise (group == input channels == output channels): with the channels in the vector
//   lanes (blocked_depthwise_conv.h) when it has at least a vector of channels and a small plane,
//   else depthwise_conv.h;
// - a pointwise convolution of a plane of at most 36 pixels: transposed, as a GEMM of the input
//   by the weights packed into column panels (sgemm.h GemmPackedB), then transposed back;
// - anything else (dense, grouped, dilated, any stride): per group, a GEMM of the weights,
//   packed into row panels once (sgemm.h) in persistent memory, by the taps (sgemm.h
//   GemmPackedA), writing straight into the NCHW output.
// Bias and the fused activation are applied as outputs are stored.
// PrepareFloatConv runs after the reference prepare has validated the node. It switches the
// node to an optimized eval when its weights (and bias) are constants and its layout fits
// (flat_conv_layout.h), else leaves the reference eval in place. Errors: persistent memory
// exhausted.
// Thread-safety: as kernel.h.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLOAT_CONV_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLOAT_CONV_H_

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

Status PrepareFloatConv(PrepareContext& context, Node& node);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLOAT_CONV_H_

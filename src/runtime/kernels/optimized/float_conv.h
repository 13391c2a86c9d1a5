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

#include <cstddef>

#include "runtime/kernel.h"
#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

Status PrepareFloatConv(PrepareContext& context, Node& node);

// The same paths for callers with their own float32 operands (the int8 Conv of
// int8_float_conv.h): a convolution of geometry `g` (its batch included) with `weights`
// ([M, C / group, kernel_h, kernel_w]), `bias` (M values, or nullptr) and `clamp`, all of which
// must outlive the plan. *plan is null when no optimized path fits (the layout reads too many
// phases). Errors: persistent memory exhausted (naming `node`).
struct FloatConvPlan;
Status PrepareFloatConvPlan(PrepareContext& context, const Node& node, const ConvGeometry& g,
                            const float* weights, const float* bias, FloatRange clamp,
                            const FloatConvPlan** plan, size_t* scratch_floats);
// output = clamp(bias + conv(input, weights)), NCHW, every image; `scratch` holds the
// plan's scratch_floats.
void RunFloatConvPlan(const FloatConvPlan& plan, const float* input, float* scratch, float* output);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLOAT_CONV_H_

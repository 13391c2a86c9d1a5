// The float32 Conv paths of the optimized kernel set (AVX-512):
// - pointwise (1x1, stride 1, no padding): the input planes are the GEMM's B operand directly;
// - depthwise (group == channels, stride_w 1 or 2): depthwise_conv.h;
// - anything else, grouped or dilated: im2col into node.scratch, one block of output pixels at
//   a time (so the scratch stays near L2-sized), then GEMM.
// Weights are packed into row panels once (sgemm.h) in persistent memory; bias and the fused
// activation are applied as outputs are stored.
// PrepareFloatConv runs after the reference prepare has validated the node. It switches the
// node to an optimized eval when its weights (and bias) are constants, else leaves the
// reference eval in place. Errors: persistent memory exhausted.
// Thread-safety: as kernel.h.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLOAT_CONV_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLOAT_CONV_H_

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

namespace tinymlops::runtime::optimized {

Status PrepareFloatConv(PrepareContext& context, Node& node);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLOAT_CONV_H_

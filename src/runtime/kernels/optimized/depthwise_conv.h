// Float32 depthwise convolution (group == input channels == output channels) of one NCHW image,
// with bias and the fused activation's clamp applied as each output is stored (AVX-512).
//
// Each channel is first copied into a zero-bordered padded plane in scratch. Stride 1 then runs
// over the padded plane as one flat array (a vector spans several short rows, so narrow planes
// such as 25x5 still fill whole vectors); other strides run row by row, and a horizontal stride
// of 2 takes the even lanes of two loads. Any kernel size, dilation and padding.
// Supported: stride_w of 1 or 2 (DepthwiseConvFloatSupports). No allocation, no failure.
// Thread-safety: pure functions over caller-owned memory.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_DEPTHWISE_CONV_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_DEPTHWISE_CONV_H_

#include <cstddef>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

namespace tinymlops::runtime::optimized {

bool DepthwiseConvFloatSupports(const ConvGeometry& geometry);
// Scratch floats DepthwiseConvFloat needs.
size_t DepthwiseConvFloatScratchFloats(const ConvGeometry& geometry);
// output[c] = clamp(bias[c] + conv(input[c], weights[c])) for every channel of one image;
// weights are [C, 1, kernel_h, kernel_w], bias has C values or is nullptr.
void DepthwiseConvFloat(const ConvGeometry& geometry, const float* input, const float* weights,
                        const float* bias, const FloatRange& clamp, float* scratch,
                        float* output);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_DEPTHWISE_CONV_H_

// Float32 depthwise convolution (group == input channels == output channels) of one NCHW image,
// with bias and the fused activation's clamp applied as each output is stored (AVX-512 or AVX2).
//
// Each channel is read through the convolution's FlatConvLayout (flat_conv_layout.h): the
// zero-padded, stride-phased planes of a chunk of channels are built in scratch (unless the
// layout reads the input), then every tap adds weight * planes[tap offset + p] to four vectors
// of flat positions p at a time, so any kernel size, stride, dilation and padding run as one
// contiguous walk.
// No allocation, no failure. Thread-safety: pure functions over caller-owned memory.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_DEPTHWISE_CONV_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_DEPTHWISE_CONV_H_

#include <cstddef>
#include <cstdint>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/flat_conv_layout.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

// What DepthwiseConvFloat reads besides the image.
struct DepthwiseConvFloatParams {
  const ConvGeometry* geometry;
  const FlatConvLayout* layout;  // of `geometry`
  const int32_t* tap_offsets;    // FillFlatConvTapOffsets with one channel
  const float* weights;          // [C, 1, kernel_h, kernel_w]
  const float* bias;             // C values, or nullptr
  FloatRange clamp;
};

// Scratch floats DepthwiseConvFloat needs.
size_t DepthwiseConvFloatScratchFloats(const ConvGeometry& geometry, const FlatConvLayout& layout);
// output[c] = clamp(bias[c] + conv(input[c], weights[c])) for every channel of one image.
void DepthwiseConvFloat(const DepthwiseConvFloatParams& params, const float* input, float* scratch,
                        float* output);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_DEPTHWISE_CONV_H_

// The integer int8/uint8 depthwise Conv (group == input channels == output channels) of the
// optimized kernel set (AVX-512 VNNI and VBMI), bit-identical with the reference kernel: for
// channel c, acc = bias[c] + sum over the window of (x - x_zero_point) * (w[c] - w_zero_point[c])
// in int32 (padding taps contribute nothing), then linear_requantization.h's requantization and
// clamp.
// Output pixels are in the lanes: a vector holds 16 consecutive output pixels of one channel (in
// the flattened output plane, so a vector may span several narrow rows), and each lane's dword
// holds 4 horizontally consecutive taps of one kernel row, so that one _mm512_dpbusd_epi32 does
// 4 of a window's multiply-adds in each of 16 lanes. Each channel's input is copied into scratch
// as a plane of unsigned bytes padded with the input zero point; a kernel row's quad of taps of
// all 16 lanes is one 64-byte load from that plane and one byte permutation (vpermb) by an index
// vector fixed at prepare for the vector's lane pattern. The weights are packed once (signed tap
// quads per kernel row, zero past the kernel's width) and the zero points folded in as
// int8_conv_channels.h's DotProductChannel.
// It applies where a lane's window row (up to 4 taps) and the 16 lanes' windows fit a 64-byte
// load with enough lanes filled (wide strides and dilations do not); PrepareInt8PixelDepthwiseConv
// then switches node.eval and sets *prepared, else it leaves the node as it is. Called by
// PrepareInt8Conv (int8_conv.h) for a validated depthwise node with constant weights and bias,
// 1-D or 2-D. Errors: persistent memory exhausted. Thread-safety: as kernel.h.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_PIXEL_DEPTHWISE_CONV_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_PIXEL_DEPTHWISE_CONV_H_

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/int8_conv.h"

#if defined(TINYMLOPS_OPTIMIZED_INT8_CONV) && defined(__AVX512VBMI__)
#define TINYMLOPS_OPTIMIZED_INT8_PIXEL_DEPTHWISE 1

namespace tinymlops::runtime::optimized {

Status PrepareInt8PixelDepthwiseConv(PrepareContext& context, Node& node,
                                     const ConvGeometry& geometry, bool* prepared);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_INT8_CONV && __AVX512VBMI__
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_PIXEL_DEPTHWISE_CONV_H_

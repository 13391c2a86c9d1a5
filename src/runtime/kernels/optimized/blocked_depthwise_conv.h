// Float32 depthwise convolution (group == input channels == output channels) of one NCHW image
// with the channels in the vector lanes (AVX-512 or AVX2), for the small planes of
// depthwise-separable networks, where a plane is only a few vectors of pixels and the per-channel
// walk of depthwise_conv.h spends more on masks, partial vectors and stores than on FMAs.
//
// Channels are taken kFloatLanes (16 or 8, simd.h) at a time (one block; the last block's
// missing channels are zero lanes). At each eval, a block's planes are transposed, a square of
// kFloatLanes x kFloatLanes floats at a time, into a zero-padded tile of padded_h x padded_w
// pixels of a block each. Every output pixel is then
// one vector: bias + sum over the taps of weights[tap] (a block's weights, packed at prepare
// time) * tile[pixel's window + tap], computed for kFloatLanes output pixels at a time (independent
// FMA chains, the tap weights reused across them), clamped to the fused activation's range and
// transposed back into the NCHW output. Any kernel size, stride, dilation and padding; the 3x3
// kernels of the models run fully unrolled.
// The sums of each output are taken in tap order (ky, kx), from the bias, as
// depthwise_conv.h does.
// No allocation, no failure. Thread-safety: pure functions over caller-owned memory.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_BLOCKED_DEPTHWISE_CONV_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_BLOCKED_DEPTHWISE_CONV_H_

#include <cstddef>
#include <cstdint>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

// Largest zero-padded tile (kFloatLanes * padded_h * padded_w floats, 256 KB: a quarter of a Zen 5
// core's L2) the kernel builds: larger planes keep depthwise_conv.h, whose lanes are already
// full. It takes VWW's 16-channel 48x48 stride-2 layer (a 49x49 tile, 150 KB with AVX-512).
constexpr int kMaxBlockedDepthwiseTileFloats = 65536;

// A depthwise convolution prepared for BlockedDepthwiseConvFloat.
struct BlockedDepthwiseConv {
  ConvGeometry geometry;
  int padded_h = 0;  // tile rows: the padded input rows some output reads
  int padded_w = 0;  // tile columns
  // [blocks][kernel taps][kFloatLanes]: the weights of a block per tap, zero past the last channel.
  const float* weights = nullptr;
  const float* bias = nullptr;  // [blocks][kFloatLanes], zero past the last channel (or all zero)
  // Per output pixel, in floats: where its window starts in the tile. Rounded up to a
  // multiple of 4 pixels, the extra ones repeating the last pixel's.
  const int32_t* pixel_offsets = nullptr;
  // Per input pixel, in floats: where it goes in the tile. Rounded up to a multiple of
  // kFloatLanes pixels, the extra ones going to the slack vector after the tile.
  const int32_t* input_offsets = nullptr;
  // Where the tile's padding pixels are, in floats: they are zeroed at each eval.
  const int32_t* padding_offsets = nullptr;
  int padding_pixels = 0;
  FloatRange clamp{};
};

// Whether BlockedDepthwiseConvFloat is the faster kernel for the depthwise convolution `g`:
// at least kFloatLanes channels and a tile of at most kMaxBlockedDepthwiseTileFloats.
bool BlockedDepthwiseConvFits(const ConvGeometry& g);

// Floats of persistent memory MakeBlockedDepthwiseConv fills (packed weights, bias and pixel
// offsets), for a convolution that fits.
size_t BlockedDepthwiseConvPersistentFloats(const ConvGeometry& g);
// Fills `conv` for `g`, packing `weights` ([C, 1, kernel_h, kernel_w]) and `bias` (C values, or
// nullptr) into `persistent` (BlockedDepthwiseConvPersistentFloats floats, 4-byte aligned).
void MakeBlockedDepthwiseConv(const ConvGeometry& g, const float* weights, const float* bias,
                              FloatRange clamp, float* persistent, BlockedDepthwiseConv* conv);

// Scratch floats BlockedDepthwiseConvFloat needs: one tile, a slack vector and room to align
// the tile to a vector.
size_t BlockedDepthwiseConvScratchFloats(const BlockedDepthwiseConv& conv);
// output[c] = clamp(bias[c] + conv(input[c], weights[c])) for every channel of one image.
void BlockedDepthwiseConvFloat(const BlockedDepthwiseConv& conv, const float* input, float* scratch,
                               float* output);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_BLOCKED_DEPTHWISE_CONV_H_

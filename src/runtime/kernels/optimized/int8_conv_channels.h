// The per-output-channel constants shared by the optimized int8/uint8 Conv kernels
// (int8_conv.h, int8_depthwise_conv.h), computed once at prepare time from a Conv node that the
// reference prepare has accepted: the requantization of each output channel in vector form
// (vector_requantization.h), the int32 bias (0 without one), the weight zero points, and the
// output's zero point and clamp range (dtype range intersected with the fused activation), all
// exactly as linear_requantization.h defines them.
// PrepareInt8ConvChannels errors: persistent memory exhausted, or those of
// PrepareLinearRequantization (which the reference prepare has already passed).
// Also the pieces shared by the int8 Convs whose sums run on float32 kernels
// (int8_depthwise_conv.h, int8_float_conv.h): every operand is an integer, and when
// max |x - x_zero_point| * sum over a channel's patch of |w - w_zero_point| < 2^24, every product
// and partial sum is an integer float32 holds exactly, so the float sum is the int32 sum
// whatever the order of the additions (docs/determinism.md).
// And the form of those constants for the kernels that multiply unsigned input bytes by signed
// weight bytes (int8_conv.h, int8_pixel_depthwise_conv.h): int8 input is made unsigned by
// flipping its sign bit, uint8 weights signed the same way, and the zero points are folded in
// with the exact int32 identity, over the K taps of a window (padding taps holding the input
// zero point, so that they add nothing):
//   sum (xu - a)(ws - b) = sum xu*ws - b * sum xu - a * sum ws + K*a*b
// where xu, a are the input and its zero point in the unsigned domain and ws, b the weights and
// their zero point in the signed domain. Every step wraps modulo 2^32 like the reference's
// accumulator, so the results agree to the bit.
// Thread-safety: read-only after prepare; the conversions are pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_CONV_CHANNELS_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_CONV_CHANNELS_H_

#include <cstddef>
#include <cstdint>

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/vector_requantization.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

struct Int8ConvChannel {
  int32_t bias = 0;
  int32_t weight_zero_point = 0;
  ChannelRequantization requantization;
};

struct Int8ConvChannels {
  const Int8ConvChannel* channel = nullptr;  // one per output channel
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t output_min = 0;
  int32_t output_max = 0;
};

// One output channel's constants for the unsigned x signed products (see above).
struct DotProductChannel {
  int32_t offset;       // bias - a * sum ws + K * a * b, modulo 2^32
  int32_t weight_zero;  // b
  ChannelRequantization requantization;
};

// The constants of `channel` for input zero point `input_zero` (a), weights summing to
// `weight_sum` (sum ws) with zero point `weight_zero` (b), over windows of `taps` (K) taps.
DotProductChannel FoldDotProductChannel(const Int8ConvChannel& channel, uint8_t input_zero,
                                        uint32_t weight_sum, int32_t weight_zero, uint32_t taps);

// The output values (int32 lanes, one per output) of the windows whose sums of xu * ws are
// `products` and, when kWeightOffsets (some b is nonzero), whose sums of xu are `input_sums`;
// kRoundNegatives false only where low >= zero_point (RequantizeVector).
template <bool kWeightOffsets, bool kRoundNegatives>
inline IntVector RequantizeDotProducts(IntVector products, IntVector input_sums,
                                       const DotProductChannel& channel, IntVector zero_point,
                                       IntVector low, IntVector high) {
  IntVector sums = AddInt32(products, BroadcastInt32(channel.offset));
  if constexpr (kWeightOffsets)
    sums = SubtractInt32(sums, MultiplyLowInt32(input_sums, BroadcastInt32(channel.weight_zero)));
  return RequantizeVector<kRoundNegatives>(sums, channel.requantization, zero_point, low, high);
}

// Fills `channels` for Conv `node` (input 0 X, 1 W [M, ...], optional 2 bias, output 0 Y).
Status PrepareInt8ConvChannels(PrepareContext& context, const Node& node,
                               Int8ConvChannels* channels);

// Whether `node` (a validated Conv) has constant weights and, if any, a constant bias.
bool HasConstantConvParameters(const Node& node);

// Element `i` of an int8 or uint8 weight tensor.
int32_t ConvWeightAt(const Tensor& weights, ptrdiff_t i);

// Whether the float32 sums of Conv `node` (weights [M, patch]) are exact (see above).
bool ConvSumsExactInFloat(const Node& node, const Int8ConvChannels& channels, int patch);

// floats[i] = x[i] - zero_point for `count` int8 (signed_input) or uint8 values.
void CenteredFloats(const uint8_t* x, bool signed_input, int32_t zero_point, int64_t count,
                    float* floats);

// y[i] = requantize(int32(sums[i]) + channel.bias) for `count` outputs of one channel, the
// bytes of int8 or uint8 values.
void RequantizeFloatSums(const float* sums, int count, const Int8ConvChannel& channel,
                         const Int8ConvChannels& channels, uint8_t* y);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_CONV_CHANNELS_H_

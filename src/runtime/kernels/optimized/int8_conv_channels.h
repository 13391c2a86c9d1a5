// The per-output-channel constants shared by the optimized int8/uint8 Conv kernels
// (int8_conv.h, int8_depthwise_conv.h), computed once at prepare time from a Conv node that the
// reference prepare has accepted: the requantization of each output channel in vector form
// (vector_requantization.h), the int32 bias (0 without one), the weight zero points, and the
// output's zero point and clamp range (dtype range intersected with the fused activation), all
// exactly as linear_requantization.h defines them.
// PrepareInt8ConvChannels errors: persistent memory exhausted, or those of
// PrepareLinearRequantization (which the reference prepare has already passed).
// Thread-safety: read-only after prepare.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_CONV_CHANNELS_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_CONV_CHANNELS_H_

#include <cstdint>

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/vector_requantization.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

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

// Fills `channels` for Conv `node` (input 0 X, 1 W [M, ...], optional 2 bias, output 0 Y).
Status PrepareInt8ConvChannels(PrepareContext& context, const Node& node,
                               Int8ConvChannels* channels);

// Whether `node` (a validated Conv) has constant weights and, if any, a constant bias.
bool HasConstantConvParameters(const Node& node);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_INT8_CONV_CHANNELS_H_

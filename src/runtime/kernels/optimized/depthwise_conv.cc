#include "runtime/kernels/optimized/depthwise_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include <algorithm>

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = kFloatLanes;
constexpr int kGroupVectors = 4;         // vectors computed together (independent FMA chains)
constexpr int kPlaneChunkFloats = 8192;  // planes built ahead of the channels that read them

// NV vectors of one output channel from vector `first_vector`. kTaps is the tap count when
// known at compile time (else 0); `weights` holds the taps' weights, broadcast when kTaps > 0.
// With kTapMasks, loads are masked by the layout's tap masks.
template <int kTaps, int NV, bool kTapMasks>
void DepthwiseVectors(const DepthwiseConvFloatParams& params, const float* planes,
                      const FloatVector* tap_weights, const float* weights, float bias,
                      int first_vector, float* output) {
  const FlatConvLayout& layout = *params.layout;
  const int taps = kTaps > 0 ? kTaps : params.geometry->kernel_h * params.geometry->kernel_w;
  LaneBits masks[NV];
  FloatVector acc[NV];
  for (int v = 0; v < NV; ++v) {
    masks[v] = LaneMask(std::min(kLanes, layout.positions - (first_vector + v) * kLanes));
    acc[v] = BroadcastFloat(bias);
  }
  const float* source = planes + first_vector * kLanes;
  const auto accumulate_tap = [&](int t, FloatVector weight) {
    const float* tap_source = source + params.tap_offsets[t];
    for (int v = 0; v < NV; ++v) {
      const LaneBits mask = kTapMasks ? layout.tap_masks[(first_vector + v) * taps + t] : masks[v];
      acc[v] = MultiplyAdd(weight, LoadFloatLanes(mask, tap_source + v * kLanes), acc[v]);
    }
  };
  if constexpr (kTaps > 0) {
    // Unrolled, so that the tap weights stay in registers.
#pragma GCC unroll 16
    for (int t = 0; t < kTaps; ++t) accumulate_tap(t, tap_weights[t]);
  } else {
    int t = 0;
    do {  // taps >= 1; a do-while keeps acc in registers (see sgemm.cc)
      accumulate_tap(t, BroadcastFloat(weights[t]));
    } while (++t < taps);
  }
  const FloatVector lo = BroadcastFloat(params.clamp.min);
  const FloatVector hi = BroadcastFloat(params.clamp.max);
  alignas(64) float results[NV][kLanes];  // as in sgemm.cc's FlatTile
  for (int v = 0; v < NV; ++v) StoreFloats(results[v], MinFloats(hi, MaxFloats(lo, acc[v])));
  for (int v = 0; v < NV; ++v)
    StoreFlatVector(layout, output, first_vector + v, LoadFloats(results[v]));
}

template <int kTaps, bool kTapMasks>
void DepthwiseChannel(const DepthwiseConvFloatParams& params, const float* planes,
                      const float* weights, float bias, float* output) {
  FloatVector tap_weights[kTaps > 0 ? kTaps : 1];
  for (int t = 0; t < kTaps; ++t) tap_weights[t] = BroadcastFloat(weights[t]);
  const int vectors = (params.layout->positions + kLanes - 1) / kLanes;
  int vector = 0;
  for (; vector + kGroupVectors <= vectors; vector += kGroupVectors)
    DepthwiseVectors<kTaps, kGroupVectors, kTapMasks>(params, planes, tap_weights, weights, bias,
                                                      vector, output);
  switch (vectors - vector) {
    case 3:
      return DepthwiseVectors<kTaps, 3, kTapMasks>(params, planes, tap_weights, weights, bias,
                                                   vector, output);
    case 2:
      return DepthwiseVectors<kTaps, 2, kTapMasks>(params, planes, tap_weights, weights, bias,
                                                   vector, output);
    case 1:
      return DepthwiseVectors<kTaps, 1, kTapMasks>(params, planes, tap_weights, weights, bias,
                                                   vector, output);
    default:
      return;
  }
}

// DepthwiseChannel for the layout's tap count and masking.
void DepthwiseChannelOfLayout(const DepthwiseConvFloatParams& params, const float* planes,
                              const float* weights, float bias, float* output) {
  const bool three_by_three = params.geometry->kernel_h * params.geometry->kernel_w == 9;
  if (params.layout->masks_taps) {
    if (three_by_three) return DepthwiseChannel<9, true>(params, planes, weights, bias, output);
    return DepthwiseChannel<0, true>(params, planes, weights, bias, output);
  }
  if (three_by_three) return DepthwiseChannel<9, false>(params, planes, weights, bias, output);
  DepthwiseChannel<0, false>(params, planes, weights, bias, output);
}

// Channels read straight from the input, or from planes built per chunk of channels.
int ChunkChannels(const FlatConvLayout& layout) {
  return layout.reads_input ? 1 : std::max(1, kPlaneChunkFloats / layout.channel_floats);
}

}  // namespace

size_t DepthwiseConvFloatScratchFloats(const ConvGeometry& geometry, const FlatConvLayout& layout) {
  return FlatConvPlanesFloats(layout, std::min(geometry.in_channels, ChunkChannels(layout)));
}

void DepthwiseConvFloat(const DepthwiseConvFloatParams& params, const float* input, float* scratch,
                        float* output) {
  const ConvGeometry& g = *params.geometry;
  const FlatConvLayout& layout = *params.layout;
  const int taps = g.kernel_h * g.kernel_w;
  const int chunk = ChunkChannels(layout);
  for (int c0 = 0; c0 < g.in_channels; c0 += chunk) {
    const int channels = std::min(chunk, g.in_channels - c0);
    const float* chunk_input = input + static_cast<ptrdiff_t>(c0) * g.in_plane();
    if (!layout.reads_input) BuildFlatConvPlanes(g, layout, chunk_input, channels, scratch);
    for (int c = c0; c < c0 + channels; ++c) {
      const float* planes = layout.reads_input
                                ? chunk_input + static_cast<ptrdiff_t>(c - c0) * g.in_plane()
                                : scratch + static_cast<ptrdiff_t>(c - c0) * layout.channel_floats;
      const float* weights = params.weights + c * taps;
      const float bias = params.bias ? params.bias[c] : 0.0f;
      float* channel_output = output + static_cast<ptrdiff_t>(c) * g.out_plane();
      DepthwiseChannelOfLayout(params, planes, weights, bias, channel_output);
    }
  }
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
